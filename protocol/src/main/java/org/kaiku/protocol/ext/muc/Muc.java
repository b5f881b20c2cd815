package org.kaiku.protocol.ext.muc;

import java.util.Locale;
import org.kaiku.protocol.xml.XmlElement;

/**
 * Names of XEP-0045 (section 19.1 namespaces, 15.6 status codes) and of the extensions a room
 * speaks: XEP-0421 occupant ids, XEP-0410 self-ping optimization, XEP-0249 direct invitations.
 */
public final class Muc {
    /** The join element, section 7.2.1. */
    public static final String NAMESPACE = "http://jabber.org/protocol/muc";
    public static final String USER = NAMESPACE + "#user";
    public static final String ADMIN = NAMESPACE + "#admin";
    public static final String OWNER = NAMESPACE + "#owner";
    /** FORM_TYPE of the room configuration form, section 10.2. */
    public static final String ROOMCONFIG = NAMESPACE + "#roomconfig";
    /** FORM_TYPE of the extended room information, section 6.4. */
    public static final String ROOMINFO = NAMESPACE + "#roominfo";
    /** XEP-0421. */
    public static final String OCCUPANT_ID = "urn:xmpp:occupant-id:0";
    /** XEP-0410 section 4: the room answers a self-ping itself. */
    public static final String SELF_PING_OPTIMIZATION = NAMESPACE + "#self-ping-optimization";
    /** XEP-0249 direct invitation. */
    public static final String CONFERENCE = "jabber:x:conference";

    /** Status codes of section 15.6 used here. */
    public static final int NON_ANONYMOUS = 100;
    public static final int CONFIG_CHANGED = 104;
    public static final int SELF = 110;
    public static final int NOW_NON_ANONYMOUS = 172;
    public static final int NOW_SEMI_ANONYMOUS = 173;
    public static final int CREATED = 201;
    public static final int NICK_CHANGED = 303;
    public static final int BANNED = 301;
    public static final int KICKED = 307;
    public static final int AFFILIATION_REMOVED = 321;
    public static final int MEMBERS_ONLY_REMOVED = 322;
    public static final int SYSTEM_SHUTDOWN = 332;

    private Muc() {
    }

    /** Affiliations, section 5.2, in descending privilege. */
    public enum Affiliation {
        OWNER, ADMIN, MEMBER, NONE, OUTCAST;

        public String value() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The affiliation named {@code s}, or null for anything else. */
        public static Affiliation of(String s) {
            for (Affiliation a : values()) {
                if (a.value().equals(s)) {
                    return a;
                }
            }
            return null;
        }

        /** Owner or admin (section 5.2: both are room moderators). */
        public boolean isAdminOrOwner() {
            return this == OWNER || this == ADMIN;
        }
    }

    /** Roles, section 5.1. */
    public enum Role {
        MODERATOR, PARTICIPANT, VISITOR, NONE;

        public String value() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The role named {@code s}, or null for anything else. */
        public static Role of(String s) {
            for (Role r : values()) {
                if (r.value().equals(s)) {
                    return r;
                }
            }
            return null;
        }
    }

    /**
     * One {@code <item/>} of muc#user or muc#admin (sections 7.2.3, 9, 10): any attribute may be
     * null; {@code reason} is the text of its {@code <reason/>} child, or null.
     */
    public record Item(String affiliation, String role, String jid, String nick, String reason) {

        public XmlElement toElement(String namespace) {
            XmlElement.Builder b = XmlElement.builder("item", namespace).attr("affiliation", affiliation)
                    .attr("jid", jid).attr("nick", nick).attr("role", role);
            if (reason != null) {
                b.textChild("reason", reason);
            }
            return b.build();
        }

        public static Item fromElement(XmlElement item) {
            return new Item(item.attr("affiliation"), item.attr("role"), item.attr("jid"), item.attr("nick"),
                    item.childText("reason", item.namespace()));
        }
    }

    /** {@code <status code='N'/>} of muc#user. */
    public static XmlElement status(int code) {
        return XmlElement.builder("status", USER).attr("code", Integer.toString(code)).build();
    }
}
