package org.kaiku.engine.upload;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The authorisation a slot carries in its {@code Authorization: Bearer} header: what may be put
 * (slot id, file name, exact size, content type), by whom, until when, signed with HMAC-SHA256
 * under the node's upload secret. The HTTPS side checks a PUT against it without asking anyone,
 * so issuing a slot writes nothing. A token cannot be stretched to another file, size or time:
 * every field is under the MAC.
 */
final class SlotToken {
    record Grant(String slotId, String filename, long size, String contentType, String account, Instant expires) {
    }

    private final byte[] secret;

    SlotToken(byte[] secret) {
        this.secret = secret.clone();
    }

    String sign(Grant g) {
        String payload = String.join("\n", "v1", g.slotId(), g.filename(), Long.toString(g.size()),
                g.contentType() == null ? "" : g.contentType(), g.account(), Long.toString(g.expires().getEpochSecond()));
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + b64.encodeToString(mac(payload));
    }

    /** The grant of a token whose MAC holds, or empty (expiry is the caller's check). */
    Optional<Grant> verify(String token) {
        int dot = token == null ? -1 : token.indexOf('.');
        if (dot < 0) {
            return Optional.empty();
        }
        try {
            String payload = new String(Base64.getUrlDecoder().decode(token.substring(0, dot)), StandardCharsets.UTF_8);
            byte[] mac = Base64.getUrlDecoder().decode(token.substring(dot + 1));
            if (!MessageDigest.isEqual(mac, mac(payload))) {
                return Optional.empty();
            }
            String[] f = payload.split("\n", -1);
            if (f.length != 7 || !f[0].equals("v1")) {
                return Optional.empty();
            }
            return Optional.of(new Grant(f[1], f[2], Long.parseLong(f[3]), f[4].isEmpty() ? null : f[4], f[5],
                    Instant.ofEpochSecond(Long.parseLong(f[6]))));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private byte[] mac(String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(payload.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java platform", e);
        }
    }
}
