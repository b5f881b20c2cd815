package org.kaiku.protocol.ext.register;

import java.util.List;
import java.util.Optional;
import org.kaiku.protocol.ext.xdata.DataForm;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.stanza.StanzaRequestException;
import org.kaiku.protocol.stanza.Stanzas;
import org.kaiku.protocol.xml.XmlElement;

/**
 * The elements of XEP-0077 (In-Band Registration) a server reads and writes: the fields it asks
 * for (section 3.1), the "already registered" answer, the three requests an iq set can carry
 * (register or change password with username and password, section 3.1 and 3.3; cancel with a
 * lone {@code <remove/>}, section 3.2) and the error replies, which never echo the request, as it
 * holds a password (section 3.3 says so for password changes; we do it for every request).
 *
 * <p>A submitted data form (section 5, FORM_TYPE {@code jabber:iq:register}) is read for its
 * {@code username} and {@code password} fields as if they were the plain fields; a request with
 * both a form and plain fields is refused, as the section's rule 5 forbids it.
 */
public final class Registration {
    public static final String NAMESPACE = "jabber:iq:register";
    /** The stream feature of section 8. */
    public static final String FEATURE_NAMESPACE = "http://jabber.org/features/iq-register";

    private Registration() {
    }

    /** What an iq set asks for. */
    public sealed interface Request permits Credentials, Remove {
    }

    /** Register (before authentication) or change the password (after): both fields, as given. */
    public record Credentials(String username, String password) implements Request {
    }

    /** Cancel the registration of the authenticated account (section 3.2). */
    public record Remove() implements Request {
    }

    /**
     * Reads an iq set's {@code <query/>}. A {@code <remove/>} with anything beside it is a
     * bad-request (section 3.2). Otherwise both username and password must be there with
     * character data: a missing or empty one is not-acceptable (section 3.1, and section 3.3's
     * rule that an empty password never replaces the old one). Nothing else is checked here:
     * whether the name is a valid localpart is the caller's question.
     */
    public static Request read(XmlElement query) throws StanzaRequestException {
        if (query == null || !query.is("query", NAMESPACE)) {
            throw new StanzaRequestException(StanzaError.Condition.BAD_REQUEST, "expected <query xmlns='" + NAMESPACE + "'/>");
        }
        List<XmlElement> children = query.elements();
        if (query.child("remove", NAMESPACE) != null) {
            if (children.size() != 1) {
                throw new StanzaRequestException(StanzaError.Condition.BAD_REQUEST, "<remove/> must be the only child");
            }
            return new Remove();
        }
        Optional<DataForm> form = Optional.ofNullable(query.child(DataForm.ELEMENT, DataForm.NAMESPACE))
                .flatMap(DataForm::fromElement);
        String username = query.childText("username", NAMESPACE);
        String password = query.childText("password", NAMESPACE);
        if (form.isPresent()) {
            if (username != null || password != null) {
                throw new StanzaRequestException(StanzaError.Condition.BAD_REQUEST, "a data form and plain fields together");
            }
            if (!"submit".equals(form.get().type()) || !NAMESPACE.equals(form.get().formType())) {
                throw new StanzaRequestException(StanzaError.Condition.BAD_REQUEST, "expected a submitted form of type " + NAMESPACE);
            }
            username = form.get().field("username").map(DataForm.Field::value).orElse(null);
            password = form.get().field("password").map(DataForm.Field::value).orElse(null);
        }
        if (username == null || username.isEmpty() || password == null || password.isEmpty()) {
            throw new StanzaRequestException(StanzaError.Condition.NOT_ACCEPTABLE, "username and password are both required");
        }
        return new Credentials(username, password);
    }

    /** The answer to a get from an entity that has not registered: the fields to fill in. */
    public static XmlElement fields(String instructions) {
        return XmlElement.builder("query", NAMESPACE)
                .textChild("instructions", instructions)
                .child(XmlElement.of("username", NAMESPACE))
                .child(XmlElement.of("password", NAMESPACE))
                .build();
    }

    /**
     * The answer to a get from an authenticated account (section 3.1): {@code <registered/>} and
     * the username. The password is not sent back (the server keeps only SCRAM keys; the XEP's
     * example that shows it predates that).
     */
    public static XmlElement registered(String username) {
        return XmlElement.builder("query", NAMESPACE)
                .child(XmlElement.of("registered", NAMESPACE))
                .textChild("username", username)
                .build();
    }

    /** {@code <register xmlns='http://jabber.org/features/iq-register'/>}, for stream:features. */
    public static XmlElement feature() {
        return XmlElement.of("register", FEATURE_NAMESPACE);
    }

    /** The error reply to a registration iq, without the request's payload (it holds a password). */
    public static XmlElement error(XmlElement iq, StanzaError error) {
        return Stanzas.errorReply(iq.withChildren(List.of()), error);
    }
}
