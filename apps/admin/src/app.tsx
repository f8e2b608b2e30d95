// Which screen shows: the sign-in screen until there is a session, then the screen of the route.
import { createRouter, RouterProvider, useMessages, useRoute, useStore, type NavItem } from "@tsubaki/ui";
import { api } from "./api";
import { adminMessages } from "./messages";
import { ApprovalsScreen } from "./screens/Approvals";
import { CampaignScreen } from "./screens/Campaign";
import { CampaignsScreen } from "./screens/Campaigns";
import { LoginScreen } from "./screens/Login";
import { PayoutRunScreen, PayoutsScreen } from "./screens/Payouts";
import { ReportsScreen } from "./screens/Reports";
import { SettingsScreen } from "./screens/Settings";
import { ShopScreen } from "./screens/Shop";
import { ShopsScreen } from "./screens/Shops";

export const router = createRouter(import.meta.env.BASE_URL);

export function useNav(): NavItem[] {
  const t = useMessages(adminMessages);
  return [
    { to: "/", label: t("nav.campaigns"), icon: "◎" },
    { to: "/approvals", label: t("nav.approvals"), icon: "✓" },
    { to: "/reports", label: t("nav.reports"), icon: "▤" },
    { to: "/shops", label: t("nav.shops"), icon: "⌂" },
    { to: "/payouts", label: t("nav.payouts"), icon: "¥" },
    { to: "/settings", label: t("nav.settings"), icon: "⚙" },
  ];
}

function Screen() {
  const route = useRoute();
  const signedIn = useStore(api.signedIn);
  if (!signedIn) return <LoginScreen />;
  if (route.startsWith("/campaigns/")) return <CampaignScreen id={decodeURIComponent(route.slice("/campaigns/".length))} />;
  if (route.startsWith("/shops/")) return <ShopScreen id={decodeURIComponent(route.slice("/shops/".length))} />;
  if (route.startsWith("/payouts/")) return <PayoutRunScreen id={decodeURIComponent(route.slice("/payouts/".length))} />;
  switch (route) {
    case "/approvals":
      return <ApprovalsScreen />;
    case "/reports":
      return <ReportsScreen />;
    case "/shops":
      return <ShopsScreen />;
    case "/payouts":
      return <PayoutsScreen />;
    case "/settings":
      return <SettingsScreen />;
    default:
      return <CampaignsScreen />;
  }
}

export function App() {
  return (
    <RouterProvider router={router}>
      <Screen />
    </RouterProvider>
  );
}
