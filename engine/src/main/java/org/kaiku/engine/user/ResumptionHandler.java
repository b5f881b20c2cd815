package org.kaiku.engine.user;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.kaiku.engine.session.SessionMessage;
import org.kaiku.protocol.ext.delay.Delay;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.stanza.StanzaKind;
import org.kaiku.protocol.stanza.Stanzas;
import org.kaiku.protocol.xml.XmlElement;

/**
 * The account entity's part of Stream Management (XEP-0198): it tracks what it sends to
 * sessions that enabled it ({@link UnackedQueues}), moves a resource to the session that resumed
 * its stream (section 5), and, when a session ends without being resumed, treats what its client
 * never acknowledged "in the same way that it would treat a stanza sent to an unavailable
 * resource" (section 4): a message goes through the delivery rules again (another resource, or
 * offline storage) with a XEP-0203 delay carrying its original delivery time, an iq request is
 * answered with service-unavailable, and the rest (presence, iq results and errors) is dropped.
 * A message that went to several resources at once is not sent again while one of the others is
 * still online: the account has it. The ended resource is gone by then, so nothing is sent to it
 * twice.
 *
 * <p>Nothing here is journaled except the resumption itself ({@link UserEvent.ResourceResumed}),
 * which moves the resource to another session actor; see {@link UnackedQueues} for what a crash
 * loses.
 */
final class ResumptionHandler {
    /** The reason text of the delay notation on a re-delivered message. */
    static final String RESENT = "Resent: the earlier session ended before acknowledging it";

    private final Account account;
    private final ActorContext<UserEntity.Command> context;
    private final UnackedQueues queues;
    private final BiConsumer<Outbox, XmlElement> redeliver;

    /** @param redeliver handles a message by the delivery rules, as if it had just arrived */
    ResumptionHandler(Account account, ActorContext<UserEntity.Command> context, UnackedQueues queues,
                      BiConsumer<Outbox, XmlElement> redeliver) {
        this.account = account;
        this.context = context;
        this.queues = queues;
        this.redeliver = redeliver;
    }

    /**
     * The session enabled stream management: track it, if it still holds its resource, and tell
     * it so, in order with the stanzas around (those before the answer are untracked).
     */
    void enable(Outbox box, UserEntity.SmEnable cmd) {
        UserState.OnlineResource r = box.state().resources().get(cmd.resource());
        boolean ok = r != null && r.session().equals(cmd.session());
        if (ok) {
            queues.enable(cmd.resource(), cmd.session(), cmd.smId());
        }
        box.later(() -> cmd.session().tell(new SessionMessage.SmTracking(ok)));
    }

    /** Where a resumption should look: the resource and session that hold the SM-ID now. */
    void lookup(UserState state, UserEntity.SmResume cmd) {
        ActorRef<SessionMessage> session = queues.sessionOf(cmd.smId());
        String resource = session == null ? null : queues.resourceOf(session);
        UserState.OnlineResource r = resource == null ? null : state.resources().get(resource);
        if (r == null || !r.session().equals(session)) {
            cmd.replyTo().tell(new SessionMessage.SmResumeTarget(null, null));
        } else {
            cmd.replyTo().tell(new SessionMessage.SmResumeTarget(resource, session));
        }
    }

    /**
     * Moves the resource to the resuming session, if the old session still holds it. After the
     * event is written the new session gets what the old one never received, then the old one is
     * told to stop without unbinding.
     */
    void swap(Outbox box, UserEntity.SmSwap cmd) {
        UserState.OnlineResource r = box.state().resources().get(cmd.resource());
        if (r == null || !r.session().equals(cmd.old()) || !queues.tracks(cmd.old())) {
            box.later(() -> cmd.now().tell(new SessionMessage.SmSwapped(false, List.of())));
            return;
        }
        box.emit(new UserEvent.ResourceResumed(cmd.resource(), cmd.now()));
        box.later(() -> {
            context.unwatch(cmd.old());
            context.watchWith(cmd.now(), new UserEntity.SessionEnded(cmd.now()));
            List<SessionMessage.SmEntry> resend = new ArrayList<>();
            for (UnackedQueues.Tracked t : queues.resume(cmd.old(), cmd.now(), cmd.acked(), cmd.lastSeq())) {
                resend.add(new SessionMessage.SmEntry(t.stanza(), t.seq()));
            }
            cmd.now().tell(new SessionMessage.SmSwapped(true, resend));
            cmd.old().tell(new SessionMessage.SmRetire());
        });
    }

    /**
     * The session of {@code resource} ended without resumption; call after its
     * {@link UserEvent.ResourceUnbound} was emitted, so the delivery rules no longer see it.
     */
    void ended(Outbox box, ActorRef<SessionMessage> session) {
        for (UnackedQueues.Tracked t : queues.remove(session)) {
            XmlElement stanza = t.stanza();
            StanzaKind kind = StanzaKind.of(stanza);
            if (kind == StanzaKind.MESSAGE) {
                if (t.group().stream().noneMatch(box.state().resources()::containsKey)) {
                    redeliver.accept(box, stamped(stanza, t));
                }
            } else if (kind == StanzaKind.IQ) {
                String type = Stanzas.type(stanza);
                if ("get".equals(type) || "set".equals(type)) {
                    account.bounce(box, stanza, StanzaError.Condition.SERVICE_UNAVAILABLE);
                }
            }
        }
    }

    /** The message with a delay notation of its original delivery, unless the server delayed it already. */
    private XmlElement stamped(XmlElement stanza, UnackedQueues.Tracked t) {
        String domain = account.jid().domain();
        for (XmlElement child : stanza.elements(Delay.ELEMENT, Delay.NAMESPACE)) {
            if (domain.equals(child.attr("from"))) {
                return stanza;
            }
        }
        return new Delay(domain, t.at(), RESENT).addTo(stanza);
    }
}
