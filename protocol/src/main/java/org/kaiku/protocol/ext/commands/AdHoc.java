package org.kaiku.protocol.ext.commands;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.kaiku.protocol.ext.xdata.DataForm;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.stanza.StanzaRequestException;
import org.kaiku.protocol.stanza.Stanzas;
import org.kaiku.protocol.xml.XmlElement;

/**
 * The {@code <command/>} element of XEP-0050 (section 4): what a requester asks (a node, a session,
 * an action, a submitted form) and what a responder answers (status, allowed actions, a form,
 * notes), plus the errors of section 4.4 with their application conditions.
 */
public final class AdHoc {
    public static final String NAMESPACE = "http://jabber.org/protocol/commands";

    private AdHoc() {
    }

    /** The actions of section 4.1; EXECUTE is the default when none is given. */
    public enum Action {
        EXECUTE, CANCEL, PREV, NEXT, COMPLETE;

        public String value() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum Status {
        EXECUTING, COMPLETED, CANCELED;

        public String value() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One {@code <note/>}: type info, warn or error (section 4.3). */
    public record Note(String type, String text) {
        public static Note info(String text) {
            return new Note("info", text);
        }

        public static Note error(String text) {
            return new Note("error", text);
        }
    }

    /** A requester's {@code <command/>}: the form is the first submitted jabber:x:data child, if any. */
    public record Request(String node, String sessionId, Action action, DataForm form) {
    }

    /** A responder's answer; {@code actions} empty means no {@code <actions/>} element. */
    public record Response(String node, String sessionId, Status status, List<Action> actions, Action execute,
                           DataForm form, List<Note> notes) {
        public Response {
            actions = List.copyOf(actions);
            notes = List.copyOf(notes);
        }

        public XmlElement toElement() {
            XmlElement.Builder c = XmlElement.builder("command", NAMESPACE).attr("node", node).attr("sessionid", sessionId)
                    .attr("status", status.value());
            if (!actions.isEmpty()) {
                XmlElement.Builder a = XmlElement.builder("actions", NAMESPACE).attr("execute", execute == null ? null : execute.value());
                actions.forEach(x -> a.child(XmlElement.of(x.value(), NAMESPACE)));
                c.child(a.build());
            }
            if (form != null) {
                c.child(form.toElement());
            }
            notes.forEach(n -> c.child(XmlElement.builder("note", NAMESPACE).attr("type", n.type()).text(n.text()).build()));
            return c.build();
        }
    }

    /**
     * Reads a {@code <command/>}: a missing node, or an action outside section 4.1's list, is a
     * bad-request (the latter with {@code <malformed-action/>}, thrown as the condition only; use
     * {@link #error} for the full answer). A jabber:x:data child that is not a form is ignored.
     */
    public static Request read(XmlElement command) throws StanzaRequestException {
        if (command == null || !command.is("command", NAMESPACE) || command.attr("node") == null) {
            throw new StanzaRequestException(StanzaError.Condition.BAD_REQUEST, "a command needs a node");
        }
        Action action = Action.EXECUTE;
        String a = command.attr("action");
        if (a != null) {
            try {
                action = Action.valueOf(a.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new StanzaRequestException(StanzaError.Condition.BAD_REQUEST, "malformed-action");
            }
        }
        Optional<DataForm> form = Optional.ofNullable(command.child(DataForm.ELEMENT, DataForm.NAMESPACE)).flatMap(DataForm::fromElement);
        // section 4.2.1: a cancel-type form counts as a submission
        DataForm submitted = form.map(f -> "cancel".equals(f.type()) ? new DataForm("submit", f.title(), f.instructions(), f.fields()) : f)
                .orElse(null);
        return new Request(command.attr("node"), command.attr("sessionid"), action, submitted);
    }

    /**
     * An error answer to a command iq: the stanza condition with, when given, the XEP-0050
     * application condition (malformed-action, bad-action, bad-payload, bad-sessionid,
     * session-expired) in this namespace.
     */
    public static XmlElement error(XmlElement iq, StanzaError.Condition condition, String appCondition) {
        XmlElement reply = Stanzas.errorReply(iq.withChildren(List.of()), StanzaError.of(condition));
        if (appCondition == null) {
            return reply;
        }
        return Stanzas.withApplicationCondition(reply, XmlElement.of(appCondition, NAMESPACE));
    }
}
