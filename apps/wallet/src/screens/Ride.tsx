// Ride the bus: the ride code (DESIGN §5). The phone keeps an Ed25519 device key whose private half never
// leaves WebCrypto (non-extractable, kept in IndexedDB), asks the server once for an allowance (a hold on its
// coins + a signed certificate), and then shows a new QR every ~30 s with no network at all. Each code carries a
// new counter, stored BEFORE the code is shown, so no counter is ever shown with two different times.
import { Button, ErrorMessage, Layout, QrDisplay, defineMessages, formatYen, useMessages, type ApiProblem } from "@tsubaki/ui";
import { RIDE_CODE_RENEW_SECONDS, createPhoneRideCode, webCryptoRiderSigner, type Ed25519Subtle, type RiderSigner } from "@tsubaki/ride";
import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import { useNav } from "../app";

const rideMessages = defineMessages(
  {
    appName: "つばきウォレット",
    title: "バスに乗る",
    lead: "のっティの運賃端末にこのコードをかざしてください。通信がなくても使えます。",
    request: "乗車許可をもらう（{yen} を確保）",
    requestLead: "コインから {yen} を最大72時間確保し、乗るたびに運賃を支払います。残りは期限または更新のときに戻ります。",
    renew: "乗車許可を更新する",
    remaining: "確保中 {yen}（サーバーが最後に確認した額）",
    until: "{time} まで",
    code: "乗車コード",
    caption: "約30秒ごとに新しいコードになります",
    noCrypto: "この端末のブラウザは乗車コードに対応していません。紙の乗車カードを窓口で受け取れます。",
  },
  {
    appName: "Tsubaki Wallet",
    title: "Ride the bus",
    lead: "Hold this code up to the Notty fare terminal. It works without a network.",
    request: "Get a ride allowance (holds {yen})",
    requestLead: "Holds {yen} of your coins for up to 72 hours; each ride pays its fare from it. The rest comes back when it lapses or is renewed.",
    renew: "Renew the ride allowance",
    remaining: "{yen} held (as the server last saw it)",
    until: "until {time}",
    code: "Ride code",
    caption: "A new code about every 30 seconds",
    noCrypto: "This browser cannot make ride codes. A printed ride card is available at the city counter.",
  },
);

interface Allowance {
  id: string;
  certificate: string;
  remainingYen: number;
  maxTotalYen: number;
  notAfter: string;
  status: "active" | "closed";
}

interface RiderKeys {
  privateKey: CryptoKey;
  publicKeyHex: string;
}

const dbName = "tsubaki.wallet.ride";
const allowanceYen = 1_000;

function idb<T>(mode: IDBTransactionMode, run: (store: IDBObjectStore) => IDBRequest): Promise<T> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(dbName, 1);
    open.onupgradeneeded = () => open.result.createObjectStore("kv");
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction("kv", mode, { durability: "strict" });
      const request = run(tx.objectStore("kv"));
      tx.oncomplete = () => {
        db.close();
        resolve(request.result as T);
      };
      tx.onerror = () => reject(tx.error);
    };
  });
}
const load = <T,>(key: string) => idb<T | undefined>("readonly", (s) => s.get(key));
const save = (key: string, value: unknown) => idb<unknown>("readwrite", (s) => s.put(value, key));

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
function unhex(text: string): Uint8Array {
  return Uint8Array.from(text.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
}

async function riderKeys(): Promise<RiderKeys> {
  const stored = await load<RiderKeys>("rider");
  if (stored) return stored;
  const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"])) as CryptoKeyPair;
  const keys = { privateKey: pair.privateKey, publicKeyHex: hex(new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey))) };
  await save("rider", keys);
  return keys;
}

/** The next code: the counter is stored durably first, then signed into the code. */
async function nextCode(allowance: Allowance, signer: RiderSigner): Promise<string> {
  const counter = ((await load<number>(`counter:${allowance.id}`)) ?? 0) + 1;
  await save(`counter:${allowance.id}`, counter);
  return createPhoneRideCode(unhex(allowance.certificate), { counter, time: Math.floor(Date.now() / 1000) }, signer);
}

export function RideScreen() {
  const t = useMessages(rideMessages);
  const [keys, setKeys] = useState<RiderKeys | null>(null);
  const [allowance, setAllowance] = useState<Allowance | null>(null);
  const [code, setCode] = useState<string | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [unsupported, setUnsupported] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    riderKeys()
      .then(async (k) => {
        setKeys(k);
        setAllowance((await load<Allowance>("allowance")) ?? null);
        // Refresh what the server knows when there is a network; the saved one serves offline.
        const fresh = await api.get<{ items: Allowance[] }>("/v1/bus/allowances");
        if (fresh.ok) {
          const active = fresh.data.items.find((a) => a.status === "active" && a.certificate) ?? null;
          setAllowance(active);
          await save("allowance", active);
        }
      })
      .catch(() => setUnsupported(true));
  }, []);

  const usable = allowance !== null && allowance.status === "active" && Date.parse(allowance.notAfter) > Date.now();
  useEffect(() => {
    if (!usable || !keys) return;
    const signer = webCryptoRiderSigner(crypto.subtle as unknown as Ed25519Subtle, keys.privateKey);
    let stopped = false;
    const show = () => void nextCode(allowance, signer).then((c) => !stopped && setCode(c));
    show();
    const timer = setInterval(show, RIDE_CODE_RENEW_SECONDS * 1000);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [usable, keys, allowance?.id]);

  const request = async () => {
    if (!keys) return;
    setBusy(true);
    const result = await api.post<Allowance>("/v1/bus/allowances", { rider_public_key: keys.publicKeyHex, total_yen: allowanceYen });
    setBusy(false);
    if (!result.ok) return setProblem(result.problem);
    setProblem(null);
    setAllowance(result.data);
    await save("allowance", result.data);
  };

  return (
    <Layout appName={t("appName")} title={t("title")} nav={useNav()}>
      {unsupported ? <p role="alert">{t("noCrypto")}</p> : null}
      {problem ? <ErrorMessage problem={problem} /> : null}
      {usable && code ? (
        <div class="ts-stack">
          <p>{t("lead")}</p>
          <QrDisplay payload={code} label={t("code")} caption={t("caption")} />
          <p data-testid="ride-remaining">{t("remaining", { yen: formatYen(allowance.remainingYen) })}</p>
          <p>{t("until", { time: new Date(allowance.notAfter).toLocaleString("ja-JP", { timeZone: "Asia/Tokyo" }) })}</p>
          <Button variant="secondary" busy={busy} onClick={request} block>
            {t("renew")}
          </Button>
        </div>
      ) : (
        <div class="ts-stack">
          <p>{t("requestLead", { yen: formatYen(allowanceYen) })}</p>
          <Button busy={busy} disabled={!keys} onClick={request} block>
            {t("request", { yen: formatYen(allowanceYen) })}
          </Button>
        </div>
      )}
    </Layout>
  );
}
