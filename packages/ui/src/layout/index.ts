export { Layout, type LayoutProps, type NavItem } from "./Layout";
