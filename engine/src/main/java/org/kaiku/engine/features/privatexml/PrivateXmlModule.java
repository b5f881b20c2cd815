package org.kaiku.engine.features.privatexml;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.kaiku.engine.module.IqHandler;
import org.kaiku.engine.module.ModuleContext;
import org.kaiku.engine.module.ModuleRegistration;
import org.kaiku.engine.module.Xep;
import org.kaiku.engine.module.XmppModule;
import org.kaiku.engine.storage.AccountDataStore;
import org.kaiku.engine.storage.XmlDocument;
import org.kaiku.protocol.stanza.Namespaces;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.stanza.Stanzas;
import org.kaiku.protocol.xml.XmlElement;

/**
 * XEP-0049 Private XML Storage, version 1.2: a user keeps arbitrary XML fragments on the server
 * (XEP-0048 bookmarks, client preferences). Each child of {@code <query xmlns='jabber:iq:private'/>}
 * is one document in the {@link AccountDataStore}, keyed by its qualified name, so two clients
 * storing different elements in one namespace do not overwrite each other, and a set replaces
 * only the elements it carries.
 *
 * <p>Rules of section 2.3, with the error each breach gets:
 * <ul>
 *   <li>a query without a child element: not-acceptable (the MUST of section 2.3; the SHOULD
 *       "Bad Format" of the same section names no RFC 6120 condition);</li>
 *   <li>a get asking for more than one namespace: not-acceptable;</li>
 *   <li>a fragment that is not in a namespace of its own (none, jabber:client, jabber:server,
 *       jabber:iq:private) or in vcard-temp, which has its own store here: not-acceptable. The
 *       XEP's wider list of reserved namespaces (all of 'jabber:' and 'http://jabber.org/') is
 *       optional and not enforced, so older clients keep working;</li>
 *   <li>another user's storage: forbidden, the condition the XEP prefers (section 2.3 and
 *       Security Considerations: only the user's own resources);</li>
 *   <li>two children with the same qualified name in one set (which one to keep?), more than
 *       {@value AccountDataStore#MAX_DOCUMENTS} children, or one over the document size:
 *       not-acceptable, and nothing of that set is stored.</li>
 * </ul>
 * Nothing stored under a requested name: the result holds the requested element, empty, as
 * clients expect. Setting an element with neither attributes nor content removes it.
 * A set of several children writes them one by one; a store failure in between leaves the
 * earlier ones written and answers internal-server-error.
 */
@Xep(number = 49, version = "1.2", status = Xep.Status.COMPLETE,
        note = "only none/jabber:client/jabber:server/jabber:iq:private/vcard-temp are refused as reserved")
public final class PrivateXmlModule implements XmppModule {
    public static final String NAMESPACE = "jabber:iq:private";
    private static final Set<String> RESERVED = Set.of("", Namespaces.CLIENT, "jabber:server", NAMESPACE, "vcard-temp");

    @Override
    public ModuleRegistration register(ModuleContext ctx) {
        AccountDataStore store = ctx.stores().accountData();
        return ModuleRegistration.builder()
                .feature(NAMESPACE)
                .iq(IqHandler.Scope.ACCOUNT, NAMESPACE, "get", req -> get(store, req))
                .iq(IqHandler.Scope.ACCOUNT, NAMESPACE, "set", req -> set(store, req))
                .build();
    }

    /** The store key of a fragment: this namespace, then the fragment's qualified name. */
    public static String key(XmlElement fragment) {
        return NAMESPACE + " {" + fragment.namespace() + "}" + fragment.name();
    }

    private static CompletionStage<XmlElement> get(AccountDataStore store, IqHandler.Request req) {
        XmlElement denied = deny(req);
        if (denied != null) {
            return CompletableFuture.completedFuture(denied);
        }
        List<XmlElement> wanted = req.payload().elements();
        String refused = refuse(wanted);
        if (refused == null && wanted.stream().map(XmlElement::namespace).distinct().count() > 1) {
            refused = "one namespace per get";
        }
        if (refused != null) {
            return error(req, refused);
        }
        String account = req.to().bare().toString();
        List<CompletableFuture<Optional<String>>> reads = new ArrayList<>();
        for (XmlElement w : wanted) {
            reads.add(store.get(account, key(w)).toCompletableFuture());
        }
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).handle((ok, err) -> {
            if (err != null) {
                return Stanzas.errorReply(req.iq(), StanzaError.of(StanzaError.Condition.INTERNAL_SERVER_ERROR));
            }
            XmlElement.Builder query = XmlElement.builder("query", NAMESPACE);
            for (int i = 0; i < wanted.size(); i++) {
                Optional<String> stored = reads.get(i).join();
                query.child(stored.isPresent()
                        ? XmlDocument.read(stored.get())
                        : XmlElement.of(wanted.get(i).name(), wanted.get(i).namespace()));
            }
            return Stanzas.iqResult(req.iq(), query.build());
        });
    }

    private static CompletionStage<XmlElement> set(AccountDataStore store, IqHandler.Request req) {
        XmlElement denied = deny(req);
        if (denied != null) {
            return CompletableFuture.completedFuture(denied);
        }
        List<XmlElement> fragments = req.payload().elements();
        String refused = refuse(fragments);
        if (refused != null) {
            return error(req, refused);
        }
        Set<String> keys = new HashSet<>();
        List<String> documents = new ArrayList<>();
        for (XmlElement f : fragments) {
            if (!keys.add(key(f))) {
                return error(req, "<" + f.name() + " xmlns='" + f.namespace() + "'/> twice in one set");
            }
            String xml = XmlDocument.write(f);
            if (AccountDataStore.utf8Length(xml) > AccountDataStore.MAX_DOCUMENT_BYTES) {
                return error(req, "a stored element is at most " + AccountDataStore.MAX_DOCUMENT_BYTES + " bytes");
            }
            documents.add(f.attributes().isEmpty() && f.children().isEmpty() ? null : xml);
        }
        String account = req.to().bare().toString();
        CompletableFuture<Void> writes = CompletableFuture.completedFuture(null);
        for (int i = 0; i < fragments.size(); i++) {
            String key = key(fragments.get(i));
            String xml = documents.get(i);
            writes = writes.thenCompose(v -> (xml == null ? store.delete(account, key) : store.put(account, key, xml)));
        }
        return writes.handle((ok, err) -> err == null
                ? Stanzas.iqResult(req.iq(), null)
                : Stanzas.errorReply(req.iq(), storeError(err)));
    }

    /** The error for a request that is malformed or not the user's own, or null. */
    private static XmlElement deny(IqHandler.Request req) {
        if (!req.payload().is("query", NAMESPACE)) {
            return Stanzas.errorReply(req.iq(), StanzaError.of(StanzaError.Condition.BAD_REQUEST,
                    "the payload is <query xmlns='jabber:iq:private'/>"));
        }
        if (req.from() == null || req.to() == null || req.to().isDomain() || !req.from().bare().equals(req.to().bare())) {
            return Stanzas.errorReply(req.iq(), StanzaError.of(StanzaError.Condition.FORBIDDEN));
        }
        return null;
    }

    /** Why these fragments are not acceptable whatever the request's type, or null. */
    private static String refuse(List<XmlElement> fragments) {
        if (fragments.isEmpty()) {
            return "the query needs a child element in its own namespace";
        }
        if (fragments.size() > AccountDataStore.MAX_DOCUMENTS) {
            return "at most " + AccountDataStore.MAX_DOCUMENTS + " elements per request";
        }
        for (XmlElement f : fragments) {
            if (RESERVED.contains(f.namespace())) {
                return "namespace '" + f.namespace() + "' is reserved";
            }
            if (AccountDataStore.utf8Length(key(f)) > AccountDataStore.MAX_KEY_BYTES) {
                return "element name and namespace are too long";
            }
        }
        return null;
    }

    private static CompletionStage<XmlElement> error(IqHandler.Request req, String why) {
        return CompletableFuture.completedFuture(Stanzas.errorReply(req.iq(), StanzaError.of(StanzaError.Condition.NOT_ACCEPTABLE, why)));
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
