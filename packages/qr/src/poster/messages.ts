// The poster's words, Japanese first and English second, kept apart from the layout so the city can reword
// them (or add a language) without touching markup.

export const POSTER_MESSAGES = {
  brandJa: "つばき",
  brandEn: "Tsubaki",
  headingJa: "つばきコイン・ポイントで支払えます",
  headingEn: "Pay here with Tsubaki coins and points",
  scanHintJa: "このQRコードを読み取ってください",
  scanHintEn: "Scan this code",
  stepsTitleJa: "支払いかた",
  stepsTitleEn: "How to pay",
  steps: [
    { ja: "スマートフォンで「つばき」アプリを開き、「支払う」を押します。", en: "Open the Tsubaki app and tap Pay." },
    { ja: "このQRコードを読み取ります。", en: "Scan this QR code." },
    { ja: "画面のお店の名前を確かめて、金額を入力します。", en: "Check the shop name and enter the amount." },
    { ja: "お店の人に画面を見せてから、「支払う」を押します。", en: "Show the screen to the staff, then tap Pay." },
  ],
  cardJa: "スマートフォンをお持ちでない方は、つばきカードをお店の人にお渡しください。",
  cardEn: "No smartphone? Hand your Tsubaki card to the staff.",
  merchantCodeJa: "加盟店コード",
  merchantCodeEn: "Merchant code",
  registerJa: "レジ",
  registerEn: "Register",
  qrTitleJa: "支払い用QRコード",
} as const;
