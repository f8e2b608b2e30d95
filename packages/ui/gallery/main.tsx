// The gallery page (see vite.config.ts beside it).
import "../src/styles/ui.css";
import "../src/styles/font";
import { render } from "preact";
import { useState } from "preact/hooks";
import {
  AmountKeypad,
  Button,
  createRouter,
  ErrorMessage,
  Layout,
  PasswordField,
  QrDisplay,
  RouterProvider,
  SettingsForm,
  startSettings,
  TextField,
} from "../src/index";

const router = createRouter("/");
export const galleryQrPayload = "TSUBAKI-GALLERY つばき喫茶 野々市店 ¥1,200";

function Gallery() {
  const [amountYen, setAmountYen] = useState(0);
  const [text, setText] = useState("");
  const [password, setPassword] = useState("");
  return (
    <RouterProvider router={router}>
      <Layout appName="UIキット" title="部品の一覧" nav={[{ to: "/", label: "一覧", icon: "☰" }]}>
        <section class="ts-stack" aria-labelledby="g-keypad">
          <h2 id="g-keypad">金額入力</h2>
          <AmountKeypad amountYen={amountYen} onChange={setAmountYen} amountYenMax={100_000} />
        </section>
        <section class="ts-stack" aria-labelledby="g-qr">
          <h2 id="g-qr">QRコード</h2>
          <div data-testid="qr">
            <QrDisplay payload={galleryQrPayload} label="お店のQRコード" caption="SHOP0001" />
          </div>
        </section>
        <section class="ts-stack" aria-labelledby="g-errors">
          <h2 id="g-errors">エラー表示</h2>
          <ErrorMessage problem={{ code: "insufficient_funds", requestId: "req-1234" }} />
          <ErrorMessage problem={{ code: "network_error" }} />
          <ErrorMessage problem={{ code: "some_future_code", requestId: "req-5678" }} />
        </section>
        <section class="ts-stack" aria-labelledby="g-controls">
          <h2 id="g-controls">入力とボタン</h2>
          <TextField label="お名前" hint="例: 野々市 花子" value={text} onValue={setText} />
          <TextField label="電話番号" value="" onValue={() => undefined} error="電話番号を入力してください。" />
          <PasswordField label="パスワード" value={password} onValue={setPassword} />
          <Button>主なボタン</Button>
          <Button variant="secondary">ふつうのボタン</Button>
          <Button variant="danger">取り消す</Button>
          <Button busy>送信中</Button>
        </section>
        <section class="ts-stack" aria-labelledby="g-settings">
          <h2 id="g-settings">表示の設定</h2>
          <SettingsForm />
        </section>
      </Layout>
    </RouterProvider>
  );
}

startSettings();
render(<Gallery />, document.getElementById("app")!);
