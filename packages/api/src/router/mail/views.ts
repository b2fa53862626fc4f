import type {
  AiAnalysisRow,
  MailAddress,
  MailFolderWithCounts,
  MailMessageWithAttachments,
  MailThreadDetails,
  MailThreadListItem,
} from "@tidings/db";
import { showStoredMailHtml } from "@tidings/mail";

// Rows as API.md shapes them (Folder, ThreadSummary, Message): the only place that knows both.

export function folderView(folder: MailFolderWithCounts) {
  return {
    id: folder.id,
    accountId: folder.account_id,
    name: folder.name,
    path: folder.path,
    role: folder.role,
    unread: folder.unread,
    total: folder.total,
  };
}

export function threadSummaryView(thread: MailThreadListItem, details: MailThreadDetails | undefined) {
  return {
    id: thread.id,
    accountId: thread.account_id,
    subject: thread.subject,
    snippet: thread.snippet,
    participants: details?.participants ?? [],
    messageCount: thread.message_count,
    /** How many of the thread's messages are unread. */
    unread: thread.unread_count,
    starred: thread.flagged_count > 0,
    hasAttachments: thread.has_attachments,
    lastMessageAt: thread.last_message_at,
    folderIds: details?.folderIds ?? [],
    ai: thread.ai_analysed
      ? {
          priority: thread.ai_priority,
          category: thread.ai_category,
          needsReply: thread.ai_needs_reply,
          summary: thread.ai_summary,
          // Additions to API.md's ThreadSummary: the list shows why, and "correct this" names the message.
          messageId: thread.ai_message_id,
          reasons: thread.ai_reasons ?? [],
        }
      : null,
  };
}

export function analysisView(analysis: AiAnalysisRow) {
  return {
    priority: analysis.priority,
    category: analysis.category,
    needsReply: analysis.needs_reply,
    summary: analysis.summary,
    actionItems: analysis.action_items,
    reasons: analysis.reasons,
    provider: analysis.provider,
    model: analysis.model,
    createdAt: analysis.created_at,
  };
}

/** A stored message; its HTML sanitized again on the way out, remote images only on request (S26). */
export function messageView(
  message: MailMessageWithAttachments,
  analysis: AiAnalysisRow | undefined,
  options: { loadRemote: boolean; senderAlways?: boolean },
) {
  const from: MailAddress = { name: message.from_name, email: message.from_email };
  return {
    id: message.id,
    accountId: message.account_id,
    folderId: message.folder_id,
    messageId: message.message_id,
    inReplyTo: message.in_reply_to,
    from,
    to: message.to,
    cc: message.cc,
    replyTo: message.reply_to,
    date: message.date,
    subject: message.subject,
    text: message.text_body,
    html:
      message.html_body === null
        ? null
        : showStoredMailHtml(message.html_body, { loadRemote: options.loadRemote || options.senderAlways === true }),
    hasRemoteContent: message.has_remote_content,
    /** Whether `html` keeps its remote content (asked for, or the sender is always loaded). */
    remoteContentShown: message.has_remote_content && (options.loadRemote || options.senderAlways === true),
    /** The user always loads remote content from this sender. */
    remoteContentAlways: options.senderAlways === true,
    attachments: message.attachments.map((attachment) => ({
      id: attachment.id,
      filename: attachment.filename,
      contentType: attachment.content_type,
      size: attachment.size,
      inline: attachment.inline,
    })),
    flags: { seen: message.seen, flagged: message.flagged, answered: message.answered, draft: message.draft },
    ai: analysis ? analysisView(analysis) : null,
  };
}
