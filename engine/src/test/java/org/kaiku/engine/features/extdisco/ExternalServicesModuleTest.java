package org.kaiku.engine.features.extdisco;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.kaiku.engine.config.SettingsException;
import org.kaiku.engine.features.IqFixture;
import org.kaiku.engine.module.IqHandler;
import org.kaiku.engine.module.ModuleRegistry;
import org.kaiku.engine.storage.Stores;
import org.kaiku.engine.storage.XmlDocument;
import org.kaiku.protocol.jid.Jid;
import org.kaiku.protocol.stanza.Namespaces;
import org.kaiku.protocol.stanza.StanzaError;
import org.kaiku.protocol.xml.XmlElement;

/** XEP-0215 answers from configuration, with a fixed clock. */
class ExternalServicesModuleTest {
    private static final String NS = ExternalServicesModule.NAMESPACE;
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);
    private static final Config CONFIG = ConfigFactory.parseString("""
            kaiku.external-services {
              credential-ttl = 1h
              services = [
                { type = stun, host = "relay.example", port = 3478, transport = udp }
                { type = turn, host = "relay.example", port = 3478, transport = udp, secret = "north" }
                { type = turn, host = "coturn.example", port = 5349, transport = tcp, name = "coturn", username = u, password = p }
              ]
            }""").withFallback(ConfigFactory.load());

    private final ModuleRegistry registry = ModuleRegistry.of("localhost", "Kaiku", "test", Stores.inMemory(), CONFIG,
            List.of(new ExternalServicesModule(CLOCK)));

    @Test
    void listsEveryServiceWithTimeLimitedCredentialsFromTheSecret() {
        XmlElement reply = send("<iq type='get' id='e1' from='romeo@localhost/orchard' to='localhost'><services xmlns='" + NS + "'/></iq>");
        assertThat(reply.attr("type")).isEqualTo("result");
        List<XmlElement> services = reply.child("services", NS).elements("service", NS);
        assertThat(services).hasSize(3);
        XmlElement stun = services.get(0);
        assertThat(stun.attr("type")).isEqualTo("stun");
        assertThat(stun.attr("port")).isEqualTo("3478");
        assertThat(stun.attr("transport")).isEqualTo("udp");
        assertThat(stun.attr("username")).isNull();
        XmlElement turn = services.get(1);
        long expiry = Instant.parse("2026-01-02T04:04:05Z").getEpochSecond();
        assertThat(turn.attr("username")).isEqualTo(expiry + ":romeo@localhost");
        assertThat(turn.attr("password")).isEqualTo(hmac("north", expiry + ":romeo@localhost"));
        assertThat(turn.attr("expires")).isEqualTo("2026-01-02T04:04:05Z");
        assertThat(turn.attr("restricted")).isEqualTo("true");
        assertThat(services.get(2).attr("username")).isEqualTo("u");
        assertThat(services.get(2).attr("name")).isEqualTo("coturn");
    }

    @Test
    void filtersByTypeAndHandsOutCredentialsForOneService() {
        XmlElement reply = send("<iq type='get' id='e2' from='romeo@localhost/orchard' to='localhost'><services xmlns='" + NS + "' type='turn'/></iq>");
        assertThat(reply.child("services", NS).attr("type")).isEqualTo("turn");
        assertThat(reply.child("services", NS).elements("service", NS)).extracting(e -> e.attr("host"))
                .containsExactly("relay.example", "coturn.example");

        XmlElement creds = send("<iq type='get' id='e3' from='juliet@localhost/balcony' to='localhost'><credentials xmlns='" + NS
                + "'><service host='relay.example' type='turn'/></credentials></iq>");
        List<XmlElement> found = creds.child("credentials", NS).elements("service", NS);
        assertThat(found).hasSize(1);
        assertThat(found.get(0).attr("username")).endsWith(":juliet@localhost");

        assertThat(IqFixture.condition(send("<iq type='get' id='e4' from='juliet@localhost/balcony' to='localhost'><credentials xmlns='" + NS
                + "'><service host='relay.example' type='stun'/></credentials></iq>"))).isEqualTo(StanzaError.Condition.ITEM_NOT_FOUND);
        assertThat(IqFixture.condition(send("<iq type='get' id='e5' from='juliet@localhost/balcony' to='localhost'><credentials xmlns='" + NS
                + "'><service type='turn'/></credentials></iq>"))).isEqualTo(StanzaError.Condition.BAD_REQUEST);
    }

    @Test
    void othersThanTheServersUsersAreRefused() {
        assertThat(IqFixture.condition(send("<iq type='get' id='e6' from='mallory@elsewhere.example/x' to='localhost'><services xmlns='" + NS + "'/></iq>")))
                .isEqualTo(StanzaError.Condition.FORBIDDEN);
        assertThat(registry.features()).contains(NS);
    }

    @Test
    void aBadServiceEntryNamesItsKey() {
        Config bad = ConfigFactory.parseString("kaiku.external-services.services = [ { type = turn, host = h, port = 0 } ]")
                .withFallback(ConfigFactory.load());
        assertThatThrownBy(() -> ModuleRegistry.of("localhost", "Kaiku", "test", Stores.inMemory(), bad,
                List.of(new ExternalServicesModule(CLOCK))))
                .isInstanceOf(SettingsException.class).hasMessageContaining("kaiku.external-services.services[0].port");
    }

    private XmlElement send(String xml) {
        XmlElement iq = XmlDocument.read(xml.replaceFirst("^<iq ", "<iq xmlns='" + Namespaces.CLIENT + "' "));
        XmlElement payload = iq.elements().get(0);
        IqHandler handler = registry.handler(IqHandler.Scope.SERVER, payload.namespace(), "get");
        try {
            return handler.handle(new IqHandler.Request(iq, payload, Jid.parse(iq.attr("from")), Jid.parse(iq.attr("to")),
                    IqHandler.Scope.SERVER)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String hmac(String secret, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
