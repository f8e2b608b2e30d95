// The shop app's words, Japanese first.
import { defineMessages } from "@tsubaki/ui";

export const merchantMessages = defineMessages(
  {
    appName: "つばき 加盟店",
    "nav.home": "ホーム",
    "nav.settings": "設定",
    "login.title": "加盟店ログイン",
    "login.lead": "野々市市の地域通貨「つばき」の加盟店用アプリです。",
    "login.idHint": "加盟店の登録のときにお知らせしたIDです。スタッフの方は店長から受け取ったIDです。",
    "login.display": "表示の設定",
    "home.title": "ホーム",
    "home.greeting": "{name} さん、こんにちは。",
    "home.soon": "QRコードの表示、支払いの受け取り、売上の確認は、まもなくここでできるようになります。",
    "settings.title": "設定",
  },
  {
    appName: "Tsubaki Shops",
    "nav.home": "Home",
    "nav.settings": "Settings",
    "login.title": "Shop sign-in",
    "login.lead": "The app for shops that accept Tsubaki, Nonoichi City's regional currency.",
    "login.idHint": "The ID you received when your shop joined. Staff: the ID your shop manager gave you.",
    "login.display": "Display settings",
    "home.title": "Home",
    "home.greeting": "Hello, {name}.",
    "home.soon": "Showing your QR code, taking payments and seeing your sales will be here soon.",
    "settings.title": "Settings",
  },
);
