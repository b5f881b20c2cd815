package org.kaiku.engine.auth;

import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.sasl.ScramCredential;
import org.kaiku.protocol.stream.StreamError;
import org.kaiku.protocol.xml.XmlElement;

/**
 * Account administration (the CLI's {@code kaiku user ...}, XEP-0077, XEP-0133). Passwords are
 * turned into salted SCRAM keys for every mechanism here (RFC 5802 section 3) and never stored.
 * Deleting an account first erases its data through the {@link AccountEraser}, then its
 * credentials: if the erasure fails the account still exists and can be deleted again, and a later
 * account of the same name never inherits the old one's roster, messages or documents.
 */
public final class AccountService {
    private final String domain;
    private final CredentialStore store;
    private final int iterations;
    private final SecureRandom random = new SecureRandom();
    private final AccountEraser eraser;

    /** Credentials only ({@link AccountEraser#CREDENTIALS_ONLY}): for tools and tests without account entities. */
    public AccountService(String domain, CredentialStore store, int iterations) {
        this(domain, store, iterations, AccountEraser.CREDENTIALS_ONLY);
    }

    public AccountService(String domain, CredentialStore store, int iterations, AccountEraser eraser) {
        this.domain = domain;
        this.store = store;
        this.iterations = iterations;
        this.eraser = eraser;
    }

    public CompletionStage<Boolean> add(String jid, String password) {
        return withAccount(jid, password, a -> store.create(a.domain(), a.local(),
                ScramCredential.createAll(password, iterations, random)));
    }

    public CompletionStage<Boolean> changePassword(String jid, String password) {
        return withAccount(jid, password, a -> store.update(a.domain(), a.local(),
                ScramCredential.createAll(password, iterations, random)));
    }

    /** Deletes the account and everything kept for it; false when there is no such account. */
    public CompletionStage<Boolean> delete(String jid) {
        return remove(jid, null, null);
    }

    /**
     * As {@link #delete}, asked by the account itself on {@code resource} (XEP-0077 section 3.2):
     * {@code notice} reaches that resource just before its sessions close.
     */
    public CompletionStage<Boolean> remove(String jid, String resource, XmlElement notice) {
        return withAccount(jid, "-", a -> store.credentials(a.domain(), a.local()).thenCompose(found -> found == null || found.isEmpty()
                ? CompletableFuture.completedFuture(false)
                : eraser.erase(a, resource, notice).thenCompose(x -> store.delete(a.domain(), a.local()))));
    }

    /**
     * Disables the account (XEP-0133 section 4.4): marked in the credential store, so no login
     * succeeds (SASL account-disabled), then its sessions end with not-authorized; nothing is
     * erased. False when there is no such account.
     */
    public CompletionStage<Boolean> disable(String jid) {
        return withAccount(jid, "-", a -> store.setDisabled(a.domain(), a.local(), true).thenCompose(found -> !found
                ? CompletableFuture.completedFuture(false)
                : eraser.endSessions(a, StreamError.Condition.NOT_AUTHORIZED, "this account was disabled by an administrator")
                        .thenApply(x -> true)));
    }

    /** Enables a disabled account again (XEP-0133 section 4.5); false when there is no such account. */
    public CompletionStage<Boolean> enable(String jid) {
        return withAccount(jid, "-", a -> store.setDisabled(a.domain(), a.local(), false));
    }

    /**
     * Ends every session of the account (XEP-0133 section 4.6) with policy-violation; it may log
     * in again at once. False when there is no such account.
     */
    public CompletionStage<Boolean> endSessions(String jid) {
        return withAccount(jid, "-", a -> store.credentials(a.domain(), a.local()).thenCompose(found -> found == null || found.isEmpty()
                ? CompletableFuture.completedFuture(false)
                : eraser.endSessions(a, StreamError.Condition.POLICY_VIOLATION, "session ended by an administrator")
                        .thenApply(x -> true)));
    }

    /** The disabled accounts of this server's domain, as bare JIDs, sorted. */
    public CompletionStage<List<String>> listDisabled() {
        return store.listDisabled(domain).thenApply(users -> users.stream().map(u -> u + "@" + domain).collect(Collectors.toList()));
    }

    public CompletionStage<List<String>> list(String listDomain) {
        Jid d;
        try {
            d = Jid.parse(listDomain);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("not a domain: " + listDomain));
        }
        if (!d.isDomain() || !d.domain().equals(domain)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("this server serves " + domain + ", not " + listDomain));
        }
        return store.list(domain).thenApply(users -> users.stream().map(u -> u + "@" + domain).collect(Collectors.toList()));
    }

    private CompletionStage<Boolean> withAccount(String jid, String password,
                                                 java.util.function.Function<Jid, CompletionStage<Boolean>> op) {
        Jid a;
        try {
            a = Jid.parse(jid);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("not a valid JID: " + jid + " (" + e.getMessage() + ")"));
        }
        if (a.local() == null || a.resource() != null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("an account is a bare JID user@domain, got " + jid));
        }
        if (!a.domain().equals(domain)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("this server serves " + domain + ", not " + a.domain()));
        }
        if (password == null || password.isEmpty()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("the password is empty"));
        }
        try {
            return op.apply(a);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
