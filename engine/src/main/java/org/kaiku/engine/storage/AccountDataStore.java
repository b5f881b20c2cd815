package org.kaiku.engine.storage;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Small XML documents kept per account on the server's side: the user's vCard (XEP-0054), private
 * XML (XEP-0049), later similar per-user state. Each document replaces the previous one under its
 * key as a whole, as both XEPs define updates (there is no partial update), so stores need no
 * read-modify-write and last write wins.
 *
 * <p>Accounts are prepared bare JID strings ({@code user@domain}); keys are chosen by the module
 * that owns them and start with its namespace so modules cannot collide; documents are XML text
 * as {@link XmlDocument#write} makes it.
 *
 * <p>Limits, the same in every implementation because a client must not see different rules on
 * different deployments: a document is at most {@value #MAX_DOCUMENT_BYTES} bytes of UTF-8 and
 * an account holds at most {@value #MAX_DOCUMENTS} of them, so a user cannot grow their storage
 * without bound (64 KiB fits a vCard with an inline photo of usual avatar size). A refused
 * {@link #put} fails its stage with {@link LimitExceeded}; a bad account or key fails it with
 * {@link IllegalArgumentException}. The count is checked before the write, so concurrent puts of
 * new keys to one account can overshoot it by the number in flight.
 */
public interface AccountDataStore {

    int MAX_DOCUMENT_BYTES = 64 * 1024;
    int MAX_DOCUMENTS = 100;
    /** A bare JID is at most 1023 + 1 + 1023 bytes (RFC 7622 section 3). */
    int MAX_ACCOUNT_BYTES = 2047;
    int MAX_KEY_BYTES = 1024;

    /** The document stored under {@code key}, or empty. */
    CompletionStage<Optional<String>> get(String account, String key);

    /** Stores {@code xml} under {@code key}, replacing what was there. */
    CompletionStage<Void> put(String account, String key, String xml);

    /** Removes the document under {@code key}; nothing happens when there is none. */
    CompletionStage<Void> delete(String account, String key);

    /** Removes every document of the account (the account is being deleted). */
    CompletionStage<Void> purge(String account);

    /** Why a {@link #put} was refused. */
    final class LimitExceeded extends RuntimeException {
        /** Which limit. */
        public enum Limit { DOCUMENT_SIZE, DOCUMENT_COUNT }

        private final Limit limit;

        public LimitExceeded(Limit limit, String message) {
            super(message);
            this.limit = limit;
        }

        public Limit limit() {
            return limit;
        }
    }

    /**
     * Checks what every implementation checks before it writes: a usable account and key, and
     * the document size. Throws {@link IllegalArgumentException} or {@link LimitExceeded}.
     */
    static void checkPut(String account, String key, String xml) {
        checkAddress(account, key);
        if (xml == null) {
            throw new IllegalArgumentException("no document");
        }
        if (utf8Length(xml) > MAX_DOCUMENT_BYTES) {
            throw new LimitExceeded(LimitExceeded.Limit.DOCUMENT_SIZE,
                    "a document is at most " + MAX_DOCUMENT_BYTES + " bytes");
        }
    }

    /** Checks account and key: present, not empty, not longer than their limits. */
    static void checkAddress(String account, String key) {
        checkPart("account", account, MAX_ACCOUNT_BYTES);
        checkPart("key", key, MAX_KEY_BYTES);
    }

    /** The {@link LimitExceeded} for an account that already holds {@link #MAX_DOCUMENTS}. */
    static LimitExceeded tooManyDocuments() {
        return new LimitExceeded(LimitExceeded.Limit.DOCUMENT_COUNT,
                "an account holds at most " + MAX_DOCUMENTS + " documents");
    }

    /** The UTF-8 length of {@code s} without encoding it (lone surrogates count as '?', one byte). */
    static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                n += 1;
            } else {
                n += 3;
            }
        }
        return n;
    }

    private static void checkPart(String what, String value, int maxBytes) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        if (utf8Length(value) > maxBytes) {
            throw new IllegalArgumentException(what + " is longer than " + maxBytes + " bytes");
        }
    }
}
