package org.kaiku.engine.user;

import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.kaiku.engine.session.SessionMessage.Durable;
import org.kaiku.engine.session.SessionMessage.Durable.Outcome;

/**
 * The account entity's side of the sender's XEP-0198 'h' (see the c2s session's InboundLedger):
 * a message that arrives with a {@link UserEntity.Receipt} is answered to the sender's session
 * once the write that makes it durable here completed, or at once when nothing is to be written.
 *
 * <p>Which write counts, per message (decided while the entity handles it, in one command):
 * <ul>
 *   <li>no resource could take it: the offline append (XEP-0160) alone. {@link Outcome#STORED}
 *       when it was stored, {@link Outcome#ANSWERED} when the store refused or failed (the
 *       sender already got service-unavailable from {@link OfflineDelivery}). The archive write
 *       of the same message is not waited for: the stored copy carries the same stanza-id and
 *       is what the recipient gets at its next login.</li>
 *   <li>delivered to an online resource and archived (XEP-0313): the archive append, because
 *       the online session's copy is memory only. {@link Outcome#STORED} when the append
 *       completed; {@link Outcome#FAILED} when it failed, and the sender's session then answers
 *       its client with resource-constraint (type wait). The recipient may still have got the
 *       message, so a client that sends it again can cause a duplicate: clients dedupe by
 *       origin-id (XEP-0359).</li>
 *   <li>anything else (blocked, bounced, a standalone chat state, the archive preference says
 *       'never' or 'roster' for a stranger, no archive configured): {@link Outcome#NOT_STORED}
 *       at once. Such a message, delivered online, exists only in the recipient session's
 *       memory and in the entity's XEP-0198 queue: a crash of this node before the recipient's
 *       client acknowledged it loses it, as without this mechanism.</li>
 *   <li>held behind a running offline drain: the receipt waits with the message and is
 *       decided when the message is handled after the drain, by the rules above.</li>
 * </ul>
 * A completion comes back through {@code pipeToSelf} as {@link UserEntity.DurableDone}; the
 * entity never blocks on it. Cost: one extra message to the sender's session per stored
 * message, and none on the delivery path: the recipient's copy goes out before the write
 * completes.
 */
final class DurableReceipts {
    private final ActorContext<UserEntity.Command> context;
    private UserEntity.Receipt current;
    private CompletionStage<Boolean> archiveWrite;
    private boolean taken;

    DurableReceipts(ActorContext<UserEntity.Command> context) {
        this.context = context;
    }

    /** A message is about to be handled; {@code receipt} may be null (nobody waits). */
    void open(UserEntity.Receipt receipt) {
        current = receipt;
        archiveWrite = null;
        taken = false;
    }

    /** The archive append for the open message (true: written, false: preferences said no). */
    void archiveWrite(CompletionStage<Boolean> write) {
        if (current != null) {
            archiveWrite = write;
        }
    }

    /**
     * The open message goes to the offline store or is held behind a drain: the caller now owns
     * its receipt and answers it. Null when nobody waits.
     */
    UserEntity.Receipt take() {
        if (current == null || taken) {
            return null;
        }
        taken = true;
        return current;
    }

    /** The open message was handled: answer now, or once its archive write completed. */
    void close() {
        UserEntity.Receipt r = current;
        CompletionStage<Boolean> w = archiveWrite;
        boolean t = taken;
        current = null;
        archiveWrite = null;
        taken = false;
        if (r == null || t) {
            return;
        }
        if (w == null) {
            answer(r, Outcome.NOT_STORED);
            return;
        }
        context.pipeToSelf(w, (ok, err) -> new UserEntity.DurableDone(r,
                err != null ? Outcome.FAILED : Boolean.TRUE.equals(ok) ? Outcome.STORED : Outcome.NOT_STORED));
    }

    /** The open message failed to be handled (answered with an error by the entity's guard). */
    void abort() {
        UserEntity.Receipt r = current;
        current = null;
        archiveWrite = null;
        taken = false;
        // also when taken: the guard drops the outbox, so a deferred offline append never runs
        answer(r, Outcome.ANSWERED);
    }

    static void answer(UserEntity.Receipt receipt, Outcome outcome) {
        if (receipt != null) {
            receipt.session().tell(new Durable(receipt.number(), outcome));
        }
    }
}
