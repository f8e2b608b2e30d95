export { formatYen } from "./yen";
