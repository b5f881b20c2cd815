package org.kaiku.protocol.jid;

import java.util.Optional;

/**
 * An XMPP address, {@code [localpart@]domainpart[/resourcepart]}, per RFC 7622.
 *
 * <p>Every instance holds the prepared (enforced) form of its parts: the canonical constructor
 * applies the RFC 7622 section 3 rules, so {@code new Jid(...)}, {@link #of} and {@link #parse}
 * agree, {@link #equals} compares addresses the way section 3 says servers must, and
 * {@link #toString} is the canonical string to route on and store. Invalid input throws
 * {@link JidFormatException}, never anything else.
 *
 * @param local the localpart, or {@code null} for a domain or server address
 * @param domain the domainpart, never {@code null}
 * @param resource the resourcepart, or {@code null} for a bare address
 */
public record Jid(String local, String domain, String resource) {

    public Jid {
        local = local == null ? null : JidPreparation.localpart(local);
        domain = JidPreparation.domainpart(domain);
        resource = resource == null ? null : JidPreparation.resourcepart(resource);
    }

    /** Prepares and validates each part; {@code local} and {@code resource} may be null. */
    public static Jid of(String local, String domain, String resource) {
        return new Jid(local, domain, resource);
    }

    /** A server or component address: domainpart only. */
    public static Jid ofDomain(String domain) {
        return new Jid(null, domain, null);
    }

    /**
     * Parses a JID string per RFC 7622 section 3.1: the resourcepart starts at the first '/',
     * the localpart ends at the first '@' before it. A separator with nothing on one side
     * ({@code "@example.com"}, {@code "example.com/"}) is an error, not an absent part.
     */
    public static Jid parse(String s) {
        if (s == null) {
            throw new JidFormatException("JID is null");
        }
        String rest = s;
        String resource = null;
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            resource = rest.substring(slash + 1);
            rest = rest.substring(0, slash);
            if (resource.isEmpty()) {
                throw new JidFormatException("empty resourcepart after '/'");
            }
        }
        String local = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            local = rest.substring(0, at);
            rest = rest.substring(at + 1);
            if (local.isEmpty()) {
                throw new JidFormatException("empty localpart before '@'");
            }
        }
        return new Jid(local, rest, resource);
    }

    /** Like {@link #parse} but empty instead of an exception, for optional attributes. */
    public static Optional<Jid> tryParse(String s) {
        try {
            return Optional.of(parse(s));
        } catch (JidFormatException e) {
            return Optional.empty();
        }
    }

    /** This address without its resourcepart. */
    public Jid bare() {
        return resource == null ? this : new Jid(local, domain, null);
    }

    /** This address with the given resourcepart (prepared), replacing any present one. */
    public Jid withResource(String newResource) {
        return new Jid(local, domain, newResource);
    }

    /** This address's domainpart alone, e.g. the server a user belongs to. */
    public Jid domainJid() {
        return isDomain() ? this : new Jid(null, domain, null);
    }

    /** True when there is no resourcepart. */
    public boolean isBare() {
        return resource == null;
    }

    /** True when there is neither a localpart nor a resourcepart. */
    public boolean isDomain() {
        return local == null && resource == null;
    }

    /** The canonical string form, {@code local@domain/resource} with absent parts left out. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(
                domain.length() + (local == null ? 0 : local.length() + 1)
                        + (resource == null ? 0 : resource.length() + 1));
        if (local != null) {
            sb.append(local).append('@');
        }
        sb.append(domain);
        if (resource != null) {
            sb.append('/').append(resource);
        }
        return sb.toString();
    }
}
