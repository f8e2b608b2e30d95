// The frame of every screen: a skip link, a header with the app's name and the connection state, an offline
// banner, the main region with the screen's one <h1>, and a bottom navigation bar of large targets. After a
// client-side navigation focus moves to the new heading, so a screen reader announces the new screen.
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { useMessages } from "../i18n/use-messages";
import { kitMessages } from "../messages";
import { OfflineBanner, OnlineIndicator } from "../online/OnlineIndicator";
import { Link, useRoute } from "../router/context";

let firstScreenShown = false;

export interface NavItem {
  to: string;
  label: string;
  /** A decorative symbol shown above the label (hidden from assistive technology). */
  icon?: string;
}

export interface LayoutProps {
  appName: string;
  /** The screen's heading, also used in the document title. */
  title: string;
  nav?: readonly NavItem[];
  /** Extra controls at the end of the header. */
  actions?: ComponentChildren;
  children: ComponentChildren;
}

export function Layout({ appName, title, nav = [], actions, children }: LayoutProps) {
  const t = useMessages(kitMessages);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const route = useRoute();
  useEffect(() => {
    document.title = `${title} | ${appName}`;
  }, [title, appName]);
  // A new screen (another route, or signing in) moves focus to its heading; the page's first screen and a
  // change of language on the same screen do not.
  useEffect(() => {
    if (!firstScreenShown) {
      firstScreenShown = true;
      return;
    }
    headingRef.current?.focus();
  }, [route]);
  return (
    <div class="ts-app">
      <a class="ts-skip" href="#main">
        {t("skip.toMain")}
      </a>
      <header class="ts-header">
        <span class="ts-header__app">
          <svg class="ts-header__mark" viewBox="0 0 32 32" aria-hidden="true">
            <circle cx="16" cy="16" r="15" fill="currentColor" />
            <circle cx="16" cy="16" r="5" fill="#f6d365" />
          </svg>
          {appName}
        </span>
        <span class="ts-header__end">
          <OnlineIndicator />
          {actions}
        </span>
      </header>
      <OfflineBanner />
      <main id="main" class="ts-main" tabIndex={-1}>
        <h1 class="ts-title" tabIndex={-1} ref={headingRef}>
          {title}
        </h1>
        {children}
      </main>
      {nav.length > 0 ? (
        <nav class="ts-nav" aria-label={t("nav.label")}>
          <ul class="ts-nav__list">
            {nav.map((item) => (
              <li key={item.to}>
                <Link to={item.to} class="ts-nav__link">
                  {item.icon ? (
                    <span class="ts-nav__icon" aria-hidden="true">
                      {item.icon}
                    </span>
                  ) : null}
                  <span>{item.label}</span>
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
    </div>
  );
}
