package org.kaiku.engine.upload;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.kaiku.engine.module.Identity;
import org.kaiku.protocol.ext.upload.HttpUpload;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.stanza.StanzaRequestException;
import org.kaiku.protocol.stanza.Stanzas;
import org.kaiku.protocol.xml.XmlElement;

/**
 * The upload service's XMPP side (XEP-0363 sections 3 and 4), at its own domain: disco#info
 * (identity store/file, the feature, the max-file-size form) and slot requests. Only accounts of
 * this server get slots (forbidden for anyone else). A slot is refused with not-acceptable and
 * {@code <file-too-large/>} above {@code max-file-size}, and with resource-constraint (wait) and
 * a {@code <retry/>} stamp when the account's stored files plus this one would pass its quota
 * (the stamp is when its oldest file expires). Issuing a slot writes nothing: the PUT URL carries
 * a signed {@link SlotToken}. Replies go to {@code replies} (the router).
 */
public final class UploadService implements Consumer<XmlElement> {
    private static final String DISCO_INFO = "http://jabber.org/protocol/disco#info";

    private final UploadSettings settings;
    private final String serverDomain;
    private final FileStore store;
    private final SlotToken tokens;
    private final URI base;
    private final Consumer<XmlElement> replies;
    private final Executor blocking;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    UploadService(UploadSettings settings, String serverDomain, FileStore store, SlotToken tokens, URI base,
                  Consumer<XmlElement> replies, Executor blocking, Clock clock) {
        this.settings = settings;
        this.serverDomain = serverDomain;
        this.store = store;
        this.tokens = tokens;
        this.base = base;
        this.replies = replies;
        this.blocking = blocking;
        this.clock = clock;
    }

    @Override
    public void accept(XmlElement stanza) {
        if (!stanza.name().equals("iq")) {
            return;
        }
        String type = stanza.attr("type");
        if (!"get".equals(type) && !"set".equals(type)) {
            return;
        }
        XmlElement payload = stanza.elements().size() == 1 ? stanza.elements().get(0) : null;
        if (payload != null && "get".equals(type) && payload.is("query", DISCO_INFO) && payload.attr("node") == null) {
            replies.accept(Stanzas.iqResult(stanza, XmlElement.builder("query", DISCO_INFO)
                    .child(new Identity("store", "file", "HTTP File Upload").toElement(DISCO_INFO))
                    .child(XmlElement.builder("feature", DISCO_INFO).attr("var", DISCO_INFO).build())
                    .child(XmlElement.builder("feature", DISCO_INFO).attr("var", HttpUpload.NAMESPACE).build())
                    .child(HttpUpload.sizeForm(settings.maxFileSize())).build()));
            return;
        }
        if (payload != null && "get".equals(type) && payload.is("request", HttpUpload.NAMESPACE)) {
            CompletableFuture.supplyAsync(() -> slot(stanza, payload), blocking)
                    .exceptionally(e -> Stanzas.errorReply(stanza, StanzaError.of(StanzaError.Condition.INTERNAL_SERVER_ERROR)))
                    .thenAccept(replies);
            return;
        }
        replies.accept(Stanzas.errorReply(stanza, StanzaError.of(StanzaError.Condition.SERVICE_UNAVAILABLE)));
    }

    private XmlElement slot(XmlElement iq, XmlElement payload) {
        Optional<Jid> from = Jid.tryParse(iq.attr("from"));
        if (from.isEmpty() || from.get().local() == null || !from.get().domain().equals(serverDomain)) {
            return Stanzas.errorReply(iq, StanzaError.of(StanzaError.Condition.FORBIDDEN, "only accounts of " + serverDomain + " upload here"));
        }
        HttpUpload.Request r;
        try {
            r = HttpUpload.read(payload);
        } catch (StanzaRequestException e) {
            return Stanzas.errorReply(iq, StanzaError.of(e.condition(), e.getMessage()));
        }
        if (r.size() > settings.maxFileSize()) {
            return HttpUpload.fileTooLarge(iq, settings.maxFileSize());
        }
        String account = from.get().bare().toString();
        try {
            if (store.usage(account) + r.size() > settings.quotaPerUser()) {
                Instant retry = store.oldest(account).map(t -> t.plus(settings.expireAfter())).orElse(null);
                return HttpUpload.quotaReached(iq, "Quota reached: your files take up to " + settings.quotaPerUser() + " bytes", retry);
            }
        } catch (IOException e) {
            return Stanzas.errorReply(iq, StanzaError.of(StanzaError.Condition.INTERNAL_SERVER_ERROR));
        }
        byte[] id = new byte[16];
        random.nextBytes(id);
        String slotId = HexFormat.of().formatHex(id);
        String token = tokens.sign(new SlotToken.Grant(slotId, r.filename(), r.size(), r.contentType(), account,
                clock.instant().plus(settings.slotLifetime())));
        String url = base + "/upload/" + slotId + "/" + URLEncoder.encode(r.filename(), StandardCharsets.UTF_8).replace("+", "%20");
        return Stanzas.iqResult(iq, HttpUpload.slot(url, Map.of("Authorization", "Bearer " + token), url));
    }
}
