package org.kaiku.protocol.ext.blocking;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.stanza.StanzaRequestException;
import org.kaiku.protocol.stanza.Stanzas;
import org.kaiku.protocol.xml.XmlElement;

/**
 * The blocking command's elements and rules (XEP-0191): reading a block or unblock request,
 * the blocklist answer and pushes (section 3), the matching of a sender against the list
 * (section 6, the XEP-0016 order) and the error for a stanza sent to a blocked JID.
 */
public final class Blocking {
    public static final String NAMESPACE = "urn:xmpp:blocking";
    public static final String ERRORS = "urn:xmpp:blocking:errors";

    private Blocking() {
    }

    /** A block or unblock request: its JIDs, prepared, in order; an unblock with none means all. */
    public record Change(boolean block, List<String> jids) {
        public Change {
            jids = List.copyOf(jids);
        }

        /** The push for the account's interested resources (sections 3.3 and 3.4). */
        public XmlElement toElement() {
            return list(block ? "block" : "unblock", jids);
        }
    }

    /**
     * Reads the payload of an iq set: {@code <block/>} needs at least one item (bad-request
     * otherwise, section 3.3); each item needs a valid 'jid' (jid-malformed). Anything that is
     * neither block nor unblock is a bad-request.
     */
    public static Change readChange(XmlElement payload) throws StanzaRequestException {
        boolean block = payload.is("block", NAMESPACE);
        if (!block && !payload.is("unblock", NAMESPACE)) {
            throw new StanzaRequestException(StanzaError.Condition.BAD_REQUEST, "expected block or unblock");
        }
        List<String> jids = new ArrayList<>();
        for (XmlElement item : payload.elements("item", NAMESPACE)) {
            Optional<Jid> jid = Jid.tryParse(item.attr("jid"));
            if (jid.isEmpty()) {
                throw new StanzaRequestException(StanzaError.Condition.JID_MALFORMED, "not a JID: " + item.attr("jid"));
            }
            if (!jids.contains(jid.get().toString())) {
                jids.add(jid.get().toString());
            }
        }
        if (block && jids.isEmpty()) {
            throw new StanzaRequestException(StanzaError.Condition.BAD_REQUEST, "block needs at least one item");
        }
        return new Change(block, jids);
    }

    /** The answer to a blocklist get (section 3.2), empty when nothing is blocked. */
    public static XmlElement blocklist(Collection<String> jids) {
        return list("blocklist", jids);
    }

    private static XmlElement list(String name, Collection<String> jids) {
        XmlElement.Builder b = XmlElement.builder(name, NAMESPACE);
        for (String jid : jids) {
            b.child(XmlElement.builder("item", NAMESPACE).attr("jid", jid).build());
        }
        return b.build();
    }

    /**
     * Whether the list blocks this address, matching in the order of section 6: the full JID,
     * the bare JID, domain/resource, the domain. A null or unparsable address is never blocked.
     */
    public static boolean blocks(Collection<String> blocklist, String address) {
        if (blocklist.isEmpty() || address == null) {
            return false;
        }
        Optional<Jid> parsed = Jid.tryParse(address);
        if (parsed.isEmpty()) {
            return false;
        }
        Jid jid = parsed.get();
        if (blocklist.contains(jid.toString()) || blocklist.contains(jid.bare().toString())) {
            return true;
        }
        Jid domain = jid.domainJid();
        if (jid.resource() != null && blocklist.contains(domain.withResource(jid.resource()).toString())) {
            return true;
        }
        return blocklist.contains(domain.toString());
    }

    /**
     * The error for a stanza the user tried to send to a blocked JID (section 3.3): not-acceptable
     * with the {@code <blocked/>} application condition, addressed back to the user.
     */
    public static XmlElement blockedError(XmlElement stanza) {
        XmlElement reply = Stanzas.errorReply(stanza,
                new StanzaError(StanzaError.Type.CANCEL, StanzaError.Condition.NOT_ACCEPTABLE, null));
        return Stanzas.withApplicationCondition(reply, XmlElement.of("blocked", ERRORS));
    }
}
