// Live notification for shops: the payments service publishes a payment here after its row is committed, and each
// open SSE stream or long poll of that shop receives it at once. In-process only: an instance notifies the streams
// it holds; a stream that reconnects (Last-Event-ID) or a poll reads what it missed from the payments table, so a
// payment committed by another instance still arrives, only not instantly.

/** A shop's payment as its staff see it live. `id` is the payment's seq: increasing per instance, resumable. */
export interface ShopEvent {
  id: number;
  type: "payment";
  shopId: string;
  paymentId: string;
  amountYen: number;
  pointsYen: number;
  coinsYen: number;
  kind: "pay" | "cpm" | "card";
  at: string;
}

export type ShopListener = (event: ShopEvent) => void;

/** Streams one shop may hold open at once (every register and tablet of a shop); more are refused. */
export const listenersPerShopMax = 64;
/** Streams open on one instance across all shops. */
export const listenersMax = 10_000;

export class EventBus {
  private readonly byShop = new Map<string, Set<ShopListener>>();
  private total = 0;

  /** Registers a listener; returns the function that removes it, or null when a limit is reached. */
  subscribe(shopId: string, listener: ShopListener): (() => void) | null {
    let listeners = this.byShop.get(shopId);
    if (!listeners) {
      listeners = new Set();
      this.byShop.set(shopId, listeners);
    }
    if (listeners.size >= listenersPerShopMax || this.total >= listenersMax) return null;
    listeners.add(listener);
    this.total += 1;
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      listeners.delete(listener);
      this.total -= 1;
      if (listeners.size === 0) this.byShop.delete(shopId);
    };
  }

  /** Delivers to every listener of the shop; a listener that throws is the listener's bug, not the payer's. */
  publish(event: ShopEvent): void {
    const listeners = this.byShop.get(event.shopId);
    if (!listeners) return;
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch {
        // A broken stream is closed by its own error handling; the payment has already succeeded.
      }
    }
  }

  listenerCount(shopId?: string): number {
    return shopId === undefined ? this.total : (this.byShop.get(shopId)?.size ?? 0);
  }
}
