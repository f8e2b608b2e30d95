// Which screen shows: the sign-in screen until there is a session, then the screen of the route.
import { createRouter, RouterProvider, useMessages, useRoute, useStore, type NavItem } from "@tsubaki/ui";
import { api } from "./api";
import { walletMessages } from "./messages";
import { ChargeScreen } from "./screens/Charge";
import { CodeScreen } from "./screens/Code";
import { HistoryScreen } from "./screens/History";
import { HomeScreen } from "./screens/Home";
import { LoginScreen } from "./screens/Login";
import { ScanScreen } from "./screens/Scan";
import { RideScreen } from "./screens/Ride";
import { SettingsScreen } from "./screens/Settings";

export const router = createRouter(import.meta.env.BASE_URL);

export function useNav(): NavItem[] {
  const t = useMessages(walletMessages);
  return [
    { to: "/", label: t("nav.home"), icon: "⌂" },
    { to: "/scan", label: t("nav.scan"), icon: "▣" },
    { to: "/code", label: t("nav.code"), icon: "▦" },
    { to: "/history", label: t("nav.history"), icon: "≡" },
    { to: "/settings", label: t("nav.settings"), icon: "⚙" },
  ];
}

function Screen() {
  const route = useRoute();
  const signedIn = useStore(api.signedIn);
  if (!signedIn) return <LoginScreen />;
  switch (route) {
    case "/scan":
      return <ScanScreen />;
    case "/code":
      return <CodeScreen />;
    case "/history":
      return <HistoryScreen />;
    case "/charge":
      return <ChargeScreen />;
    case "/ride":
      return <RideScreen />;
    case "/settings":
      return <SettingsScreen />;
    default:
      return <HomeScreen />;
  }
}

export function App() {
  return (
    <RouterProvider router={router}>
      <Screen />
    </RouterProvider>
  );
}
