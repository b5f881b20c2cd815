package org.kaiku.engine.features.vcard;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.kaiku.engine.module.AccountSignals;
import org.kaiku.engine.module.IqHandler;
import org.kaiku.engine.module.ModuleContext;
import org.kaiku.engine.module.ModuleRegistration;
import org.kaiku.engine.module.Xep;
import org.kaiku.engine.module.XmppModule;
import org.kaiku.engine.storage.AccountDataStore;
import org.kaiku.engine.storage.XmlDocument;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.stanza.Stanzas;
import org.kaiku.protocol.xml.XmlElement;

/**
 * XEP-0054 vcard-temp, version 1.3.0, and the server's part of XEP-0153 (vCard-based avatars).
 * The server keeps each user's vCard as one document in the {@link AccountDataStore}, because
 * section 3.2 allows no partial update: a set replaces the whole vCard. The content is not
 * validated against the DTD of section 7: clients disagree with it in practice (section 6 lists
 * the usual deviations) and rejecting their vCards would only lose data; only the wrapper element
 * and the size are checked.
 *
 * <ul>
 *   <li>Own vCard (section 3.1, 3.2): iq get/set with no 'to' or to the own bare JID, answered in
 *       ACCOUNT scope. No vCard yet: a result with an empty {@code <vCard/>}, one of the two
 *       answers section 3.1 allows and the one clients handle best. An empty set removes it.
 *       After a set is stored the account's entity is signalled ({@link AccountSignals}) and
 *       re-reads it for its XEP-0153 photo hash (see the user package's AvatarHash).</li>
 *   <li>Another user's vCard (section 3.3): the iq reaches that user's entity, which answers on
 *       the user's behalf through {@link #readOthers} and never forwards it to a resource. No
 *       vCard: service-unavailable, which version 1.3.0 makes a MUST, the same answer as for an
 *       account that does not exist.</li>
 *   <li>A set on someone else's vCard: forbidden (section 3.2).</li>
 * </ul>
 */
@Xep(number = 54, version = "1.3.0", status = Xep.Status.COMPLETE,
        note = "another user's vCard is read by that account's entity; no vCard and no account both get service-unavailable")
@Xep(number = 153, version = "1.1.1", status = Xep.Status.COMPLETE,
        note = "the server adds the photo hash to available presence that lacks one (XEP-0398 section 4 rule) and re-broadcasts presence when the vCard photo changes; undecodable BINVAL counts as no photo")
public final class VCardModule implements XmppModule {
    public static final String NAMESPACE = "vcard-temp";
    public static final String ELEMENT = "vCard";
    /** The key of the vCard in {@link AccountDataStore}. */
    public static final String KEY = NAMESPACE;

    @Override
    public ModuleRegistration register(ModuleContext ctx) {
        AccountDataStore store = ctx.stores().accountData();
        AccountSignals signals = ctx.accounts();
        return ModuleRegistration.builder()
                .feature(NAMESPACE)
                .iq(IqHandler.Scope.ACCOUNT, NAMESPACE, "get", req -> get(store, req))
                .iq(IqHandler.Scope.ACCOUNT, NAMESPACE, "set", req -> set(store, signals, req))
                .build();
    }

    private static CompletionStage<XmlElement> get(AccountDataStore store, IqHandler.Request req) {
        XmlElement refused = refuse(req);
        if (refused != null) {
            return CompletableFuture.completedFuture(refused);
        }
        return read(store, req, false);
    }

    private static CompletionStage<XmlElement> set(AccountDataStore store, AccountSignals signals, IqHandler.Request req) {
        XmlElement refused = refuse(req);
        if (refused != null) {
            return CompletableFuture.completedFuture(refused);
        }
        String account = req.to().bare().toString();
        XmlElement vcard = req.payload();
        CompletionStage<Void> write = vcard.attributes().isEmpty() && vcard.children().isEmpty()
                ? store.delete(account, KEY)
                : store.put(account, KEY, XmlDocument.write(vcard));
        return write.handle((ok, err) -> {
            if (err != null) {
                return Stanzas.errorReply(req.iq(), storeError(err));
            }
            signals.documentChanged(req.to(), KEY);
            return Stanzas.iqResult(req.iq(), null);
        });
    }

    /**
     * Answers an iq get for the vCard of {@code request.to()}'s account sent by someone else
     * (section 3.3), for the user entity to call. The server answers on the user's behalf and
     * never forwards to the user's resources. No vCard: service-unavailable, which section 3.3
     * requires since version 1.3.0 and which does not tell an existing account from a missing
     * one. A set: forbidden (section 3.2).
     */
    public static CompletionStage<XmlElement> readOthers(AccountDataStore store, IqHandler.Request request) {
        if (!request.payload().is(ELEMENT, NAMESPACE)) {
            return CompletableFuture.completedFuture(Stanzas.errorReply(request.iq(), StanzaError.of(StanzaError.Condition.BAD_REQUEST)));
        }
        if (!"get".equals(request.iq().attr("type"))) {
            return CompletableFuture.completedFuture(Stanzas.errorReply(request.iq(), StanzaError.of(StanzaError.Condition.FORBIDDEN)));
        }
        return read(store, request, true);
    }

    private static CompletionStage<XmlElement> read(AccountDataStore store, IqHandler.Request req, boolean missingIsError) {
        return store.get(req.to().bare().toString(), KEY).handle((stored, err) -> {
            if (err != null) {
                return Stanzas.errorReply(req.iq(), storeError(err));
            }
            if (stored.isEmpty()) {
                return missingIsError
                        ? Stanzas.errorReply(req.iq(), StanzaError.of(StanzaError.Condition.SERVICE_UNAVAILABLE))
                        : Stanzas.iqResult(req.iq(), XmlElement.of(ELEMENT, NAMESPACE));
            }
            return Stanzas.iqResult(req.iq(), XmlDocument.read(stored.get()));
        });
    }

    /** The error for a request this module must not carry out, or null. */
    private static XmlElement refuse(IqHandler.Request req) {
        if (!req.payload().is(ELEMENT, NAMESPACE)) {
            return Stanzas.errorReply(req.iq(), StanzaError.of(StanzaError.Condition.BAD_REQUEST,
                    "the payload is <vCard xmlns='vcard-temp'/>"));
        }
        if (req.from() == null || req.to() == null || req.to().isDomain() || !req.from().bare().equals(req.to().bare())) {
            return Stanzas.errorReply(req.iq(), StanzaError.of(StanzaError.Condition.FORBIDDEN));
        }
        return null;
    }

    private static StanzaError storeError(Throwable err) {
        Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        if (cause instanceof AccountDataStore.LimitExceeded limit) {
            return StanzaError.of(limit.limit() == AccountDataStore.LimitExceeded.Limit.DOCUMENT_SIZE
                    ? StanzaError.Condition.NOT_ACCEPTABLE : StanzaError.Condition.POLICY_VIOLATION, limit.getMessage());
        }
        return StanzaError.of(StanzaError.Condition.INTERNAL_SERVER_ERROR);
    }
}
