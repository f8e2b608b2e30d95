// The console's one API client: same origin, the refresh token under the console's own key.
import { browserStorage, createApiClient } from "@tsubaki/ui";

export const api = createApiClient({ storage: browserStorage(), refreshTokenKey: "tsubaki.admin.refresh" });
