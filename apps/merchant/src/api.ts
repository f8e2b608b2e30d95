// The shop's one API client: same origin, the refresh token under the shop's own key.
import { browserStorage, createApiClient } from "@tsubaki/ui";

export const api = createApiClient({ storage: browserStorage(), refreshTokenKey: "tsubaki.merchant.refresh" });
