package org.kaiku.protocol.jid;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import rocks.xmpp.precis.PrecisProfiles;

/**
 * Preparation and enforcement of the three JID parts, RFC 7622 sections 3.2-3.4. Every method is
 * idempotent: applying it to its own output returns the same string, which is what lets
 * {@link Jid}'s constructor prepare unconditionally.
 */
final class JidPreparation {
    /** RFC 7622 section 3.1: each part is limited to 1023 octets once prepared, in UTF-8. */
    static final int MAX_PART_OCTETS = 1023;

    /**
     * Raw parts longer than this are rejected before running PRECIS on them. Preparation
     * (normalization, width and case mapping) shrinks a string only slightly, so nothing this
     * long could fit in {@link #MAX_PART_OCTETS} afterwards; the check only saves work on hostile
     * input.
     */
    private static final int MAX_RAW_CHARS = 4 * MAX_PART_OCTETS;

    /** RFC 7622 section 3.3.1: allowed by IdentifierClass but forbidden in localparts. */
    private static final String LOCALPART_FORBIDDEN = "\"&'/:<>@";

    /** RFC 5890 section 2.3.2.1 label separators (full stop and its ideographic forms). */
    private static final String LABEL_SEPARATORS = ".\u3002\uFF0E\uFF61";

    private JidPreparation() {
    }

    /** UsernameCaseMapped (RFC 8265 section 3.3) plus the section 3.3.1 exclusions. */
    static String localpart(String raw) {
        checkRaw(raw, "localpart");
        String prepared;
        try {
            prepared = PrecisProfiles.USERNAME_CASE_MAPPED.enforce(raw);
        } catch (IllegalArgumentException e) {
            throw new JidFormatException("invalid localpart: " + e.getMessage(), e);
        }
        for (int i = 0; i < prepared.length(); i++) {
            if (LOCALPART_FORBIDDEN.indexOf(prepared.charAt(i)) >= 0) {
                throw new JidFormatException("localpart must not contain '" + prepared.charAt(i) + "'");
            }
        }
        return checkLength(prepared, "localpart");
    }

    /** OpaqueString (RFC 8265 section 4.2), RFC 7622 section 3.4. */
    static String resourcepart(String raw) {
        checkRaw(raw, "resourcepart");
        String prepared;
        try {
            prepared = PrecisProfiles.OPAQUE_STRING.enforce(raw);
        } catch (IllegalArgumentException e) {
            throw new JidFormatException("invalid resourcepart: " + e.getMessage(), e);
        }
        return checkLength(prepared, "resourcepart");
    }

    /**
     * RFC 7622 section 3.2: strip one trailing label separator, then either an IPv6 literal in
     * brackets or a name turned into lowercase U-labels (IDNA to-ASCII then to-Unicode, which also
     * rejects empty labels, labels over 63 octets and non-LDH ASCII).
     */
    static String domainpart(String raw) {
        checkRaw(raw, "domainpart");
        String s = raw;
        if (!s.isEmpty() && LABEL_SEPARATORS.indexOf(s.charAt(s.length() - 1)) >= 0) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.isEmpty()) {
            throw new JidFormatException("empty domainpart");
        }
        String prepared = s.charAt(0) == '[' ? ipv6Literal(s) : domainName(s);
        return checkLength(prepared, "domainpart");
    }

    private static String domainName(String s) {
        String prepared;
        try {
            prepared = PrecisProfiles.IDN.enforce(s);
        } catch (IllegalArgumentException e) {
            throw new JidFormatException("invalid domainpart: " + e.getMessage(), e);
        }
        if (prepared.isEmpty() || prepared.startsWith(".") || prepared.endsWith(".")) {
            throw new JidFormatException("invalid domainpart: empty label");
        }
        return prepared;
    }

    /** An IP-literal as in RFC 3986 section 3.2.2, IPv6 only (no zone identifier). */
    private static String ipv6Literal(String s) {
        if (s.length() < 4 || s.charAt(s.length() - 1) != ']') {
            throw new JidFormatException("invalid IPv6 literal domainpart");
        }
        String inner = s.substring(1, s.length() - 1).toLowerCase(Locale.ROOT);
        if (!Ipv6.isValid(inner)) {
            throw new JidFormatException("invalid IPv6 literal domainpart");
        }
        return "[" + inner + "]";
    }

    private static void checkRaw(String raw, String what) {
        if (raw == null) {
            throw new JidFormatException(what + " is null");
        }
        if (raw.length() > MAX_RAW_CHARS) {
            throw new JidFormatException(what + " is longer than " + MAX_PART_OCTETS + " octets");
        }
    }

    private static String checkLength(String prepared, String what) {
        if (prepared.isEmpty()) {
            throw new JidFormatException("empty " + what);
        }
        if (prepared.getBytes(StandardCharsets.UTF_8).length > MAX_PART_OCTETS) {
            throw new JidFormatException(what + " is longer than " + MAX_PART_OCTETS + " octets");
        }
        return prepared;
    }

    /** Textual IPv6 address check (RFC 4291 section 2.2), without any name resolution. */
    static final class Ipv6 {
        private Ipv6() {
        }

        static boolean isValid(String s) {
            if (s.isEmpty()) {
                return false;
            }
            int doubleColon = s.indexOf("::");
            if (doubleColon >= 0 && s.indexOf("::", doubleColon + 1) >= 0) {
                return false;
            }
            int groups;
            if (doubleColon >= 0) {
                String head = s.substring(0, doubleColon);
                String tail = s.substring(doubleColon + 2);
                int h = head.isEmpty() ? 0 : countGroups(head, false);
                int t = tail.isEmpty() ? 0 : countGroups(tail, true);
                if (h < 0 || t < 0) {
                    return false;
                }
                groups = h + t;
                return groups <= 7;
            }
            groups = countGroups(s, true);
            return groups == 8;
        }

        /** Number of 16-bit groups in a ':'-separated run, an IPv4 tail counting two; -1 if bad. */
        private static int countGroups(String run, boolean ipv4TailAllowed) {
            String[] parts = run.split(":", -1);
            int count = 0;
            for (int i = 0; i < parts.length; i++) {
                String p = parts[i];
                boolean last = i == parts.length - 1;
                if (last && ipv4TailAllowed && p.indexOf('.') >= 0) {
                    if (!isIpv4(p)) {
                        return -1;
                    }
                    count += 2;
                } else if (isHexGroup(p)) {
                    count++;
                } else {
                    return -1;
                }
            }
            return count;
        }

        private static boolean isHexGroup(String p) {
            if (p.isEmpty() || p.length() > 4) {
                return false;
            }
            for (int i = 0; i < p.length(); i++) {
                char c = p.charAt(i);
                if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                    return false;
                }
            }
            return true;
        }

        private static boolean isIpv4(String p) {
            String[] octets = p.split("\\.", -1);
            if (octets.length != 4) {
                return false;
            }
            for (String o : octets) {
                if (o.isEmpty() || o.length() > 3 || (o.length() > 1 && o.charAt(0) == '0')) {
                    return false;
                }
                for (int i = 0; i < o.length(); i++) {
                    if (o.charAt(i) < '0' || o.charAt(i) > '9') {
                        return false;
                    }
                }
                if (Integer.parseInt(o) > 255) {
                    return false;
                }
            }
            return true;
        }
    }
}
