package org.kaiku.protocol.ext.mam;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.xml.XmlElement;

/**
 * Archiving preferences, XEP-0441 section 2.1: a default (always, never, roster) and the
 * 'always' and 'never' JID lists. {@link #archives} applies the JID matching rules of section 2.3.
 *
 * @param defaultMode what happens to a JID in neither list
 * @param always      JIDs always archived
 * @param never       JIDs never archived
 */
public record MamPrefs(Default defaultMode, List<Jid> always, List<Jid> never) {
    public static final String ELEMENT = "prefs";

    /** Section 2.1.1. */
    public enum Default {
        ALWAYS, NEVER, ROSTER;

        public String value() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public MamPrefs {
        always = List.copyOf(always);
        never = List.copyOf(never);
    }

    /** What an account has before it sets anything: archive everything. */
    public static MamPrefs defaults() {
        return new MamPrefs(Default.ALWAYS, List.of(), List.of());
    }

    /**
     * Whether a message with {@code target} (the 'to' of an outgoing message, the 'from' of an
     * incoming one, sections 2.3.2 and 2.3.3) is archived. A listed bare JID matches the target's
     * bare JID, a listed full JID only that full JID (section 2.3.1); 'never' wins over 'always'.
     */
    public boolean archives(Jid target, boolean inRoster) {
        if (matches(never, target)) {
            return false;
        }
        if (matches(always, target)) {
            return true;
        }
        return switch (defaultMode) {
            case ALWAYS -> true;
            case NEVER -> false;
            case ROSTER -> inRoster;
        };
    }

    private static boolean matches(List<Jid> list, Jid target) {
        for (Jid j : list) {
            if (j.isBare() ? j.equals(target.bare()) : j.equals(target)) {
                return true;
            }
        }
        return false;
    }

    public XmlElement toElement() {
        return XmlElement.builder(ELEMENT, Mam.NAMESPACE).attr("default", defaultMode.value())
                .child(list("always", always)).child(list("never", never)).build();
    }

    private static XmlElement list(String name, List<Jid> jids) {
        XmlElement.Builder b = XmlElement.builder(name, Mam.NAMESPACE);
        jids.forEach(j -> b.textChild("jid", j.toString()));
        return b.build();
    }

    /** Reads a {@code <prefs/>} of an iq set; a missing list is empty (sections 2.1.2, 2.1.3). */
    public static MamPrefs fromElement(XmlElement prefs) throws MamQuery.Invalid {
        if (prefs == null || !prefs.is(ELEMENT, Mam.NAMESPACE)) {
            throw new MamQuery.Invalid(StanzaError.Condition.BAD_REQUEST, "not a urn:xmpp:mam:2 prefs element");
        }
        String d = prefs.attr("default");
        Default mode;
        if (d == null) {
            throw new MamQuery.Invalid(StanzaError.Condition.BAD_REQUEST, "'default' is required");
        }
        try {
            mode = Default.valueOf(d.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new MamQuery.Invalid(StanzaError.Condition.BAD_REQUEST, "'default' must be always, never or roster");
        }
        return new MamPrefs(mode, jids(prefs.child("always", Mam.NAMESPACE)), jids(prefs.child("never", Mam.NAMESPACE)));
    }

    private static List<Jid> jids(XmlElement list) throws MamQuery.Invalid {
        List<Jid> out = new ArrayList<>();
        if (list == null) {
            return out;
        }
        for (XmlElement j : list.elements("jid", Mam.NAMESPACE)) {
            String text = j.text().strip();
            Jid jid = Jid.tryParse(text).orElseThrow(() -> new MamQuery.Invalid(StanzaError.Condition.JID_MALFORMED,
                    "not a JID: " + text));
            if (!out.contains(jid)) {
                out.add(jid);
            }
        }
        return out;
    }
}
