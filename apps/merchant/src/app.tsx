// Which screen shows: the sign-in screen until there is a session, then the screen of the route.
import { createRouter, RouterProvider, useMessages, useRoute, useStore, type NavItem } from "@tsubaki/ui";
import { api } from "./api";
import { merchantMessages } from "./messages";
import { ChargeScreen } from "./screens/Charge";
import { HomeScreen } from "./screens/Home";
import { LoginScreen } from "./screens/Login";
import { QrScreen } from "./screens/Qr";
import { SalesScreen } from "./screens/Sales";
import { SettingsScreen } from "./screens/Settings";

export const router = createRouter(import.meta.env.BASE_URL);

export function useNav(): NavItem[] {
  const t = useMessages(merchantMessages);
  return [
    { to: "/", label: t("nav.home"), icon: "⌂" },
    { to: "/qr", label: t("nav.qr"), icon: "▣" },
    { to: "/charge", label: t("nav.charge"), icon: "¥" },
    { to: "/sales", label: t("nav.sales"), icon: "≡" },
    { to: "/settings", label: t("nav.settings"), icon: "⚙" },
  ];
}

function Screen() {
  const route = useRoute();
  const signedIn = useStore(api.signedIn);
  if (!signedIn) return <LoginScreen />;
  switch (route) {
    case "/charge":
      return <ChargeScreen />;
    case "/qr":
      return <QrScreen />;
    case "/sales":
      return <SalesScreen />;
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
