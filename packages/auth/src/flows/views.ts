import type { Session, User } from "@tidings/db";

export interface UserView {
  id: string;
  email: string;
  displayName: string | null;
  emailVerified: boolean;
  role: "user" | "admin";
  createdAt: Date;
}

export interface SessionView {
  id: string;
  createdAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
  ip: string;
  userAgent: string;
  current: boolean;
}

export interface AuthResult {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  user: UserView;
  session: SessionView;
}

export function toUserView(user: User): UserView {
  return {
    id: user.id,
    email: user.email,
    displayName: user.display_name,
    emailVerified: user.email_verified_at !== null,
    role: user.role,
    createdAt: user.created_at,
  };
}

export function toSessionView(session: Session, currentSessionId: string | undefined): SessionView {
  return {
    id: session.id,
    createdAt: session.created_at,
    lastUsedAt: session.last_used_at,
    expiresAt: session.expires_at,
    ip: session.ip,
    userAgent: session.user_agent,
    current: session.id === currentSessionId,
  };
}
