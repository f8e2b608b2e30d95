export { createRouter, routeOf, type Router } from "./router";
export { Link, RouterProvider, useRoute, useRouter, type LinkProps } from "./context";
