package org.kaiku.protocol.ext.avatar;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.kaiku.protocol.xml.XmlElement;
import org.kaiku.protocol.xml.XmlNode;

/**
 * The avatar hash of XEP-0153 and its presence element.
 *
 * <p>{@link #photoHash}: section 2 hashes "the avatar image data itself (not the base64-encoded
 * version)" with SHA-1 and writes it as lower-case hex (section 2, note of version 1.1). Section
 * 4.4 says whitespace in the base64 MUST be ignored; anything else that is not base64 means there
 * is no image a contact could decode, which this code treats like a missing image: the hash is
 * the empty string, which section 4.1 advertises as an empty {@code <photo/>}. A vCard without
 * {@code PHOTO}, without {@code BINVAL} or with an empty one has the empty hash as well.
 *
 * <p>{@link #inject}: XEP-0398 section 4 has the server put the hash into every available
 * presence that does not already carry an empty {@code <photo/>}; an {@code <x/>} without a
 * photo MUST be overwritten; one whose photo differs from the server's hash MAY be, and is left
 * alone here (the client may know of an upload the server has not hashed yet).
 */
public final class VCardUpdate {
    public static final String NAMESPACE = "vcard-temp:x:update";
    public static final String ELEMENT = "x";
    /** The vCard namespace of XEP-0054. */
    public static final String VCARD_NAMESPACE = "vcard-temp";

    private VCardUpdate() {
    }

    /** The lower-case hex SHA-1 of the decoded PHOTO/BINVAL of a vCard, "" when it has no usable image. */
    public static String photoHash(XmlElement vcard) {
        if (vcard == null) {
            return "";
        }
        XmlElement photo = vcard.child("PHOTO", VCARD_NAMESPACE);
        XmlElement binval = photo == null ? null : photo.child("BINVAL", VCARD_NAMESPACE);
        byte[] image = binval == null ? null : decode(binval.text());
        if (image == null || image.length == 0) {
            return "";
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(image));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Base64 with XML whitespace ignored (section 4.4), null when the rest is not padded base64. */
    static byte[] decode(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder clean = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
                clean.append(c);
            }
        }
        if (clean.length() % 4 != 0) {
            return null; // base64Binary is padded (section 4.4); the JDK decoder would take it unpadded
        }
        try {
            return Base64.getDecoder().decode(clean.toString());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** {@code <x xmlns='vcard-temp:x:update'><photo>hash</photo></x>}; an empty hash gives an empty photo. */
    public static XmlElement element(String hash) {
        XmlElement photo = XmlElement.builder("photo", NAMESPACE).text(hash == null || hash.isEmpty() ? null : hash).build();
        return XmlElement.builder(ELEMENT, NAMESPACE).child(photo).build();
    }

    /**
     * The presence with the server's hash added as XEP-0398 section 4 says: unchanged when
     * {@code hash} is null (the server does not know it) or the presence already has an
     * {@code <x/>} with a {@code <photo/>}; otherwise the first update element, if any, is
     * replaced (any other is dropped) or a new one appended.
     */
    public static XmlElement inject(XmlElement presence, String hash) {
        if (hash == null) {
            return presence;
        }
        XmlElement existing = presence.child(ELEMENT, NAMESPACE);
        if (existing != null && existing.child("photo", NAMESPACE) != null) {
            return presence;
        }
        List<XmlNode> children = new ArrayList<>();
        for (XmlNode n : presence.children()) {
            if (!(n instanceof XmlElement e && e.is(ELEMENT, NAMESPACE))) {
                children.add(n);
            }
        }
        children.add(element(hash));
        return presence.withChildren(children);
    }

    /** The hash a presence advertises: null without an update element or photo, else the photo's text ("" when empty). */
    public static String advertised(XmlElement presence) {
        XmlElement x = presence.child(ELEMENT, NAMESPACE);
        XmlElement photo = x == null ? null : x.child("photo", NAMESPACE);
        if (photo == null) {
            return null;
        }
        String text = photo.text();
        return text == null ? "" : text.trim();
    }
}
