import { AppError } from "../../errors.ts";

/** Unknown and another user's account look the same (S27). */
export const notFound = () => new AppError("NOT_FOUND", "No such mail account");
