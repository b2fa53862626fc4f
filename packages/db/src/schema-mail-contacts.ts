import type { ColumnType } from "kysely";

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Defaulted<T> = ColumnType<T, T | undefined, T>;

/** A correspondent of one mail account (see repositories/mail-contacts.ts). */
export interface MailContactsTable {
  account_id: string;
  user_id: string;
  /** Lower-cased address. */
  email: string;
  /** The display name the address last came with ("" when it never had one). */
  name: Defaulted<string>;
  sent_count: Defaulted<number>;
  received_count: Defaulted<number>;
  last_at: Timestamp;
}

/** A search the user ran in the mail search box (the newest few are kept). */
export interface MailRecentSearchesTable {
  user_id: string;
  query: string;
  searched_at: Timestamp;
}

export interface MailContactsDatabase {
  mail_contacts: MailContactsTable;
  mail_recent_searches: MailRecentSearchesTable;
}
