export { problemCatalog, problemFallback, problemText, type ProblemText } from "./catalog";
export { ErrorMessage, type ErrorMessageProps } from "./ErrorMessage";
