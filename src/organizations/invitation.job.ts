/**
 * The job that mails an invitation. It carries no token: the worker makes one when it sends the
 * mail and stores only its hash on the invitation (a retry replaces it), so no usable token ever
 * sits in the job table.
 */
export const INVITATION_QUEUE = 'organization-invitation';

export interface InvitationJob {
  invitationId: string;
}
