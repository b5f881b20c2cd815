package org.kaiku.protocol.ext.caps;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.kaiku.protocol.xml.XmlElement;

/**
 * XEP-0115 Entity Capabilities, version 1.6.0: the {@code <c/>} annotation of a presence or of
 * the stream features (section 4), and the verification string (section 5): its generation from
 * a disco#info answer (5.1) and the checks a processing entity makes before it trusts one (5.4).
 *
 * <p>All sorting is "i;octet" (RFC 4790 section 9.3): Java's {@code String} order compares UTF-16
 * code units, which differs from UTF-8 byte order only for characters outside the Basic
 * Multilingual Plane against those above U+E000, so strings are compared as UTF-8 bytes here.
 */
public record EntityCaps(String hash, String node, String ver) {
    public static final String NAMESPACE = "http://jabber.org/protocol/caps";
    private static final String DISCO_INFO = "http://jabber.org/protocol/disco#info";
    private static final String DATA = "jabber:x:data";
    /** IANA hash names this side can check (section 8.1: sha-1 is mandatory). */
    private static final Map<String, String> HASHES = Map.of("sha-1", "SHA-1", "sha-224", "SHA-224", "sha-256", "SHA-256",
            "sha-384", "SHA-384", "sha-512", "SHA-512");

    /** The annotation of a presence (or a stream features element); empty without one or with a part missing. */
    public static Optional<EntityCaps> of(XmlElement parent) {
        XmlElement c = parent.child("c", NAMESPACE);
        if (c == null) {
            return Optional.empty();
        }
        String hash = c.attr("hash");
        String node = c.attr("node");
        String ver = c.attr("ver");
        if (hash == null || node == null || ver == null || hash.isEmpty() || node.isEmpty() || ver.isEmpty()) {
            return Optional.empty(); // legacy format (no hash) or broken: not a verification string
        }
        return Optional.of(new EntityCaps(hash, node, ver));
    }

    /** True when the hash is one this side computes (section 5.4 step 2 otherwise). */
    public boolean verifiable() {
        return HASHES.containsKey(hash);
    }

    /** The disco#info node to ask: NODE#VER (section 6.2). */
    public String discoNode() {
        return node + "#" + ver;
    }

    public XmlElement toXml() {
        return XmlElement.builder("c", NAMESPACE).attr("hash", hash).attr("node", node).attr("ver", ver).build();
    }

    /** The annotation for a disco#info answer, hashed with {@code hash} (an IANA name). */
    public static EntityCaps describe(String hash, String node, XmlElement discoInfo) {
        String s = verificationString(discoInfo)
                .orElseThrow(() -> new IllegalArgumentException("the disco#info answer is ill-formed for XEP-0115"));
        return new EntityCaps(hash, node, hash(hash, s).orElseThrow(() -> new IllegalArgumentException("unknown hash " + hash)));
    }

    /** True when {@code discoInfo} is well-formed (5.4) and hashes to this 'ver' with this 'hash'. */
    public boolean matches(XmlElement discoInfo) {
        return verificationString(discoInfo).flatMap(s -> hash(hash, s)).map(ver::equals).orElse(false);
    }

    /** Base64 of the digest of {@code s} in UTF-8; empty for a hash this side does not know. */
    public static Optional<String> hash(String hash, String s) {
        String algorithm = HASHES.get(hash);
        if (algorithm == null) {
            return Optional.empty();
        }
        try {
            byte[] digest = MessageDigest.getInstance(algorithm).digest(s.getBytes(StandardCharsets.UTF_8));
            return Optional.of(Base64.getEncoder().encodeToString(digest));
        } catch (NoSuchAlgorithmException e) {
            return Optional.empty();
        }
    }

    /**
     * The string S of section 5.1 for a disco#info {@code <query/>}; empty when the answer is
     * ill-formed by section 5.4 (a repeated identity or feature, two forms of one FORM_TYPE, a
     * FORM_TYPE with differing values). A form without a hidden FORM_TYPE is left out (5.4).
     */
    public static Optional<String> verificationString(XmlElement query) {
        if (query == null || !DISCO_INFO.equals(query.namespace())) {
            return Optional.empty();
        }
        List<String> identities = new ArrayList<>();
        Set<String> seenIdentities = new HashSet<>();
        for (XmlElement i : query.elements("identity", DISCO_INFO)) {
            String key = nz(i.attr("category")) + "/" + nz(i.attr("type")) + "/" + nz(i.attr("xml:lang")) + "/" + nz(i.attr("name"));
            if (!seenIdentities.add(key)) {
                return Optional.empty();
            }
            identities.add(key);
        }
        List<String> features = new ArrayList<>();
        Set<String> seenFeatures = new HashSet<>();
        for (XmlElement f : query.elements("feature", DISCO_INFO)) {
            String var = nz(f.attr("var"));
            if (!seenFeatures.add(var)) {
                return Optional.empty();
            }
            features.add(var);
        }
        TreeMap<byte[], String> forms = new TreeMap<>(EntityCaps::compareOctets);
        for (XmlElement x : query.elements("x", DATA)) {
            XmlElement formType = null;
            for (XmlElement field : x.elements("field", DATA)) {
                if ("FORM_TYPE".equals(field.attr("var"))) {
                    formType = field;
                }
            }
            if (formType == null || !"hidden".equals(formType.attr("type"))) {
                continue;
            }
            Set<String> typeValues = new HashSet<>(values(formType));
            if (typeValues.size() != 1) {
                return Optional.empty();
            }
            String type = typeValues.iterator().next();
            if (forms.put(utf8(type), form(type, x)) != null) {
                return Optional.empty();
            }
        }
        StringBuilder s = new StringBuilder();
        sorted(identities).forEach(i -> s.append(i).append('<'));
        sorted(features).forEach(f -> s.append(f).append('<'));
        forms.values().forEach(s::append);
        return Optional.of(s.toString());
    }

    /** One form's part of S: FORM_TYPE, then each other field's var and sorted values. */
    private static String form(String type, XmlElement x) {
        StringBuilder s = new StringBuilder(type).append('<');
        List<XmlElement> fields = new ArrayList<>();
        for (XmlElement field : x.elements("field", DATA)) {
            if (!"FORM_TYPE".equals(field.attr("var"))) {
                fields.add(field);
            }
        }
        fields.sort((a, b) -> compareOctets(utf8(nz(a.attr("var"))), utf8(nz(b.attr("var")))));
        for (XmlElement field : fields) {
            s.append(nz(field.attr("var"))).append('<');
            sorted(values(field)).forEach(v -> s.append(v).append('<'));
        }
        return s.toString();
    }

    private static List<String> values(XmlElement field) {
        List<String> out = new ArrayList<>();
        for (XmlElement v : field.elements("value", DATA)) {
            out.add(v.text());
        }
        return out;
    }

    private static List<String> sorted(List<String> in) {
        List<String> out = new ArrayList<>(in);
        out.sort((a, b) -> compareOctets(utf8(a), utf8(b)));
        return out;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static int compareOctets(byte[] a, byte[] b) {
        return java.util.Arrays.compareUnsigned(a, b);
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
