package org.kaiku.engine.features.extdisco;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.kaiku.engine.config.SettingsException;
import org.kaiku.engine.module.IqHandler;
import org.kaiku.engine.module.ModuleContext;
import org.kaiku.engine.module.ModuleRegistration;
import org.kaiku.engine.module.Xep;
import org.kaiku.engine.module.XmppModule;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.stanza.Stanzas;
import org.kaiku.protocol.xml.XmlElement;

/**
 * XEP-0215 External Service Discovery, version 0.7 ({@code urn:xmpp:extdisco:2}), on the
 * server's domain: the STUN/TURN services of {@code kaiku.external-services} (the embedded Kaiku
 * relay, which {@code kaiku run} adds when it starts one, or a coturn the operator prefers).
 *
 * <ul>
 *   <li>{@code <services/>} (section 3.1), optionally with {@code type} (section 3.2): every
 *       matching service; one with a shared secret carries a fresh time-limited username
 *       {@code expiry:bare-jid} and password {@code base64(HMAC-SHA1(secret, username))} (the TURN
 *       REST scheme that coturn's use-auth-secret and Kaiku's relay accept), {@code expires} in
 *       XEP-0082 UTC and {@code restricted='true'};</li>
 *   <li>{@code <credentials><service host type [port]/></credentials>} (section 3.3): those
 *       services' credentials; none matching is {@code item-not-found}, a service element
 *       without host or type {@code bad-request};</li>
 *   <li>only the server's own users are answered ({@code forbidden} for others, section 2):
 *       credentials are not for every entity that can reach the domain.</li>
 * </ul>
 * Nothing is stored: each answer is computed from configuration and the clock. Services are not
 * pushed when they change (section 3.2's push is optional).
 */
@Xep(number = 215, version = "0.7", status = Xep.Status.COMPLETE,
        note = "services from configuration (the embedded relay, or coturn); no push updates")
public final class ExternalServicesModule implements XmppModule {
    public static final String NAMESPACE = "urn:xmpp:extdisco:2";
    static final String TTL_KEY = "kaiku.external-services.credential-ttl";

    private final Clock clock;

    public ExternalServicesModule() {
        this(Clock.systemUTC());
    }

    ExternalServicesModule(Clock clock) {
        this.clock = clock;
    }

    @Override
    public ModuleRegistration register(ModuleContext ctx) {
        List<ExternalService> services = ExternalService.fromConfig(ctx.config());
        Duration ttl = ctx.config().hasPath(TTL_KEY) ? ctx.config().getDuration(TTL_KEY) : Duration.ofHours(24);
        if (ttl.isNegative() || ttl.isZero()) {
            throw new SettingsException(TTL_KEY, "must be positive");
        }
        return ModuleRegistration.builder()
                .feature(NAMESPACE)
                .iq(IqHandler.Scope.SERVER, NAMESPACE, "get",
                        req -> CompletableFuture.completedFuture(answer(req, ctx.domain(), services, ttl)))
                .build();
    }

    private XmlElement answer(IqHandler.Request req, String domain, List<ExternalService> services, Duration ttl) {
        if (req.from() == null || req.from().local() == null || !domain.equals(req.from().domain())) {
            return Stanzas.errorReply(req.iq(), StanzaError.of(StanzaError.Condition.FORBIDDEN));
        }
        XmlElement payload = req.payload();
        if (payload.is("services", NAMESPACE)) {
            String type = payload.optAttr("type").orElse(null);
            XmlElement.Builder out = XmlElement.builder("services", NAMESPACE);
            if (type != null) {
                out.attr("type", type);
            }
            for (ExternalService s : services) {
                if (type == null || type.equals(s.type())) {
                    out.child(element(s, req.from(), ttl, true));
                }
            }
            return Stanzas.iqResult(req.iq(), out.build());
        }
        if (payload.is("credentials", NAMESPACE)) {
            List<XmlElement> found = new ArrayList<>();
            for (XmlElement wanted : payload.elements("service", NAMESPACE)) {
                String host = wanted.attr("host");
                String type = wanted.attr("type");
                if (host == null || type == null) {
                    return Stanzas.errorReply(req.iq(), StanzaError.of(StanzaError.Condition.BAD_REQUEST));
                }
                String port = wanted.attr("port");
                for (ExternalService s : services) {
                    if (s.host().equals(host) && s.type().equals(type)
                            && (port == null || port.equals(String.valueOf(s.port())))
                            && (!s.secret().isEmpty() || !s.username().isEmpty())) {
                        found.add(element(s, req.from(), ttl, false));
                    }
                }
            }
            if (found.isEmpty()) {
                return Stanzas.errorReply(req.iq(), StanzaError.of(StanzaError.Condition.ITEM_NOT_FOUND));
            }
            return Stanzas.iqResult(req.iq(), XmlElement.builder("credentials", NAMESPACE).children(found).build());
        }
        return Stanzas.errorReply(req.iq(), StanzaError.of(StanzaError.Condition.BAD_REQUEST));
    }

    private XmlElement element(ExternalService s, Jid requester, Duration ttl, boolean full) {
        XmlElement.Builder b = XmlElement.builder("service", NAMESPACE).attr("host", s.host()).attr("type", s.type());
        b.attr("port", String.valueOf(s.port()));
        if (full && !s.transport().isEmpty()) {
            b.attr("transport", s.transport());
        }
        if (full && !s.name().isEmpty()) {
            b.attr("name", s.name());
        }
        if (!s.secret().isEmpty()) {
            Instant expires = clock.instant().plus(ttl);
            String username = expires.getEpochSecond() + ":" + requester.bare();
            b.attr("username", username).attr("password", restPassword(s.secret(), username))
                    .attr("expires", DateTimeFormatter.ISO_INSTANT.format(expires.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
            if (full) {
                b.attr("restricted", "true");
            }
        } else if (!s.username().isEmpty()) {
            b.attr("username", s.username()).attr("password", s.password());
            if (full) {
                b.attr("restricted", "true");
            }
        }
        return b.build();
    }

    /** {@code base64(HMAC-SHA1(secret, username))}: the TURN REST password (draft-uberti-behave-turn-rest-00 section 2.2). */
    static String restPassword(String secret, String username) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 unavailable", e);
        }
    }
}
