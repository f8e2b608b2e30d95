export { Button, type ButtonProps, type ButtonVariant } from "./Button";
export { TextField, type TextFieldProps } from "./TextField";
export { PasswordField, type PasswordFieldProps } from "./PasswordField";
export { ChoiceGroup, ToggleField, type ChoiceGroupProps, type ChoiceOption, type ToggleFieldProps } from "./choice";
