package org.kaiku.engine.user;

import java.util.Map;
import java.util.UUID;
import org.kaiku.protocol.ext.avatar.VCardUpdate;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.stanza.Namespaces;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.stanza.Stanzas;
import org.kaiku.protocol.xml.XmlElement;

/**
 * The account an entity serves and the few stanza-building steps every handler shares: stamping
 * addresses, roster pushes (RFC 6121 sections 2.1.6 and 2.6.3), delivery to the available resources and
 * error replies (RFC 6120 section 8.3.1, never to an error).
 */
final class Account {
    private final Jid bare;
    private final String bareString;
    /** The XEP-0153 photo hash read at start and not journaled (see {@link AvatarHash}); null: unknown. */
    private String readPhotoHash;

    Account(Jid bare) {
        this.bare = bare.bare();
        this.bareString = this.bare.toString();
    }

    Jid jid() {
        return bare;
    }

    /** The canonical bare JID string. */
    String bare() {
        return bareString;
    }

    /** The full JID of one of this account's (already prepared) resources. */
    String full(String resource) {
        return bareString + "/" + resource;
    }

    /** True when the string is this account's bare JID or one of its full JIDs. */
    boolean isSelf(Jid jid) {
        return jid != null && jid.bare().equals(bare);
    }

    /** The photo hash to advertise: the journaled one, else the one read at start, else null (unknown). */
    String photoHash(UserState state) {
        String journaled = state.profile().photoHash();
        return journaled != null ? journaled : readPhotoHash;
    }

    void photoHashRead(String hash) {
        this.readPhotoHash = hash;
    }

    /**
     * An available presence as it leaves the account: with the XEP-0153 photo hash where
     * XEP-0398 section 4 says so (see {@link AvatarHash}); null stays null.
     */
    XmlElement withPhotoHash(UserState state, XmlElement presence) {
        return presence == null ? null : VCardUpdate.inject(presence, photoHash(state));
    }

    static XmlElement presence(String from, String to, String type) {
        return XmlElement.builder("presence", Namespaces.CLIENT).attr("from", from).attr("to", to).attr("type", type).build();
    }

    /** The bare form of an address attribute, or null when it is absent or not a valid JID. */
    static Jid bareOf(String address) {
        return Jid.tryParse(address).map(Jid::bare).orElse(null);
    }

    /**
     * Sends a roster push with this item to every resource that requested the roster, stamped
     * with the roster version after the change (RFC 6121 section 2.6.3), so call it after the
     * event is emitted.
     */
    void pushRoster(Outbox box, XmlElement item) {
        String ver = box.state().rosterVer();
        for (Map.Entry<String, UserState.OnlineResource> e : box.state().interestedResources().entrySet()) {
            XmlElement push = XmlElement.builder("iq", Namespaces.CLIENT)
                    .attr("to", full(e.getKey()))
                    .attr("id", "push-" + UUID.randomUUID())
                    .attr("type", "set")
                    .child(XmlElement.builder("query", Namespaces.ROSTER).attr("ver", ver).child(item).build())
                    .build();
            box.toSession(e.getValue().session(), push);
        }
    }

    /** Writes the stanza, unchanged, to every available resource. */
    void deliverToAvailable(Outbox box, XmlElement stanza) {
        for (UserState.OnlineResource r : box.state().availableResources().values()) {
            box.toSession(r.session(), stanza);
        }
    }

    /**
     * Answers the stanza's sender with an error, through the router so a remote or local sender
     * alike gets it. Errors and stanzas without a sender are dropped instead (RFC 6120 8.3.1).
     */
    void bounce(Outbox box, XmlElement stanza, StanzaError.Condition condition) {
        if (Stanzas.isError(stanza) || Stanzas.from(stanza) == null) {
            return;
        }
        box.route(Stanzas.errorReply(stanza, StanzaError.of(condition)));
    }

    /** Answers one of the account's own resources with an error, straight to its session. */
    void errorToClient(Outbox box, String resource, XmlElement stanza, StanzaError.Condition condition) {
        UserState.OnlineResource r = box.state().resources().get(resource);
        if (r == null || Stanzas.isError(stanza)) {
            return;
        }
        XmlElement reply = Stanzas.errorReply(stanza.withAttr("from", full(resource)), StanzaError.of(condition));
        box.toSession(r.session(), reply);
    }
}
