// The app's router, handed to links and the layout through context.
import { createContext, type ComponentChildren, type JSX } from "preact";
import { useContext } from "preact/hooks";
import { useStore } from "../store/use-store";
import type { Router } from "./router";

const RouterContext = createContext<Router | null>(null);

export function RouterProvider({ router, children }: { router: Router; children: ComponentChildren }) {
  return <RouterContext.Provider value={router}>{children}</RouterContext.Provider>;
}

export function useRouter(): Router {
  const router = useContext(RouterContext);
  if (!router) throw new Error("BUG: useRouter outside <RouterProvider>");
  return router;
}

export function useRoute(): string {
  return useStore(useRouter().route);
}

export interface LinkProps extends Omit<JSX.HTMLAttributes<HTMLAnchorElement>, "href"> {
  to: string;
}

/** An <a> that navigates without a reload; modified clicks (new tab, download) keep the browser's behaviour. */
export function Link({ to, children, ...rest }: LinkProps) {
  const router = useRouter();
  const current = useRoute();
  return (
    <a
      {...rest}
      href={router.href(to)}
      aria-current={current === to ? "page" : undefined}
      onClick={(event) => {
        if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        router.navigate(to);
      }}
    >
      {children}
    </a>
  );
}
