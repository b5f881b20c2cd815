package org.kaiku.engine.module;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeSet;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.kaiku.engine.storage.Stores;
import org.kaiku.protocol.xml.XmlElement;

/**
 * All feature modules of this node, merged. disco#info (XEP-0030) and the entity capabilities
 * hash (XEP-0115 section 5.1) come from here, so what the server advertises is exactly what
 * its modules registered. Built once at start; read-only afterwards.
 */
public final class ModuleRegistry {
    private final List<XmppModule> modules = new ArrayList<>();
    private final TreeSet<String> features = new TreeSet<>();
    private final TreeSet<String> accountFeatures = new TreeSet<>();
    private final List<String> items = new ArrayList<>();
    private final java.util.Map<String, AdHocCommand> commands = new java.util.LinkedHashMap<>();
    private final List<Identity> identities = new ArrayList<>();
    private final Map<IqHandler.Key, IqHandler> handlers = new HashMap<>();
    private final AccountSignals accountSignals = new AccountSignals();
    private String capsVer;
    /** The 'node' of the server's own caps (XEP-0115 section 4): a URI naming the software. */
    public static final String CAPS_NODE = "urn:kaiku:server";

    private ModuleRegistry() {
    }

    /** Loads every module on the class path through ServiceLoader, configured by {@code config}. */
    public static ModuleRegistry load(String domain, String serverName, String serverVersion, Stores stores, Config config) {
        List<XmppModule> found = new ArrayList<>();
        ServiceLoader.load(XmppModule.class, ModuleRegistry.class.getClassLoader()).forEach(found::add);
        return of(domain, serverName, serverVersion, stores, config, found);
    }

    /** As {@link #load(String, String, String, Stores, Config)} with the modules' reference.conf defaults. */
    public static ModuleRegistry load(String domain, String serverName, String serverVersion, Stores stores) {
        return load(domain, serverName, serverVersion, stores, ConfigFactory.load());
    }

    /** As {@link #load(String, String, String, Stores)} over in-memory stores: for tests and the compliance table. */
    public static ModuleRegistry load(String domain, String serverName, String serverVersion) {
        return load(domain, serverName, serverVersion, Stores.inMemory());
    }

    public static ModuleRegistry of(String domain, String serverName, String serverVersion, Stores stores,
                                    List<XmppModule> modules) {
        return of(domain, serverName, serverVersion, stores, ConfigFactory.load(), modules);
    }

    public static ModuleRegistry of(String domain, String serverName, String serverVersion, Stores stores, Config config,
                                    List<XmppModule> modules) {
        ModuleRegistry r = new ModuleRegistry();
        ModuleContext ctx = new ModuleContext(domain, serverName, serverVersion, r, stores, config, r.accountSignals);
        List<XmppModule> sorted = new ArrayList<>(modules);
        sorted.sort(Comparator.comparing(m -> m.getClass().getName()));
        for (XmppModule m : sorted) {
            ModuleRegistration reg = m.register(ctx);
            r.modules.add(m);
            r.features.addAll(reg.features());
            r.accountFeatures.addAll(reg.accountFeatures());
            r.items.addAll(reg.items());
            for (AdHocCommand c : reg.commands()) {
                if (r.commands.putIfAbsent(c.node(), c) != null) {
                    throw new IllegalStateException("two commands on node " + c.node() + ": " + m.getClass().getName());
                }
            }
            r.identities.addAll(reg.identities());
            for (Map.Entry<IqHandler.Key, IqHandler> h : reg.iqHandlers().entrySet()) {
                IqHandler previous = r.handlers.putIfAbsent(h.getKey(), h.getValue());
                if (previous != null) {
                    throw new IllegalStateException("two modules handle " + h.getKey() + ": " + m.getClass().getName());
                }
            }
        }
        r.identities.sort(Comparator.comparing(Identity::category).thenComparing(Identity::type));
        r.capsVer = computeCapsVer(r.identities, r.features);
        return r;
    }

    public List<String> features() {
        return List.copyOf(features);
    }

    /** Features of every account's bare JID, sorted. */
    public List<String> accountFeatures() {
        return List.copyOf(accountFeatures);
    }

    /** The loaded module of this class, if any. */
    public <T extends XmppModule> java.util.Optional<T> module(Class<T> type) {
        return modules.stream().filter(type::isInstance).map(type::cast).findFirst();
    }

    /** The addresses of the server's disco#items, in module order. */
    public List<String> items() {
        return List.copyOf(items);
    }

    /** The server's ad-hoc commands, in module order. */
    public List<AdHocCommand> commands() {
        return List.copyOf(commands.values());
    }

    /** The command on this node, if any. */
    public java.util.Optional<AdHocCommand> command(String node) {
        return java.util.Optional.ofNullable(commands.get(node));
    }

    public List<Identity> identities() {
        return List.copyOf(identities);
    }

    public IqHandler handler(IqHandler.Scope scope, String namespace, String type) {
        return handlers.get(new IqHandler.Key(scope, namespace, type));
    }

    public List<XmppModule> modules() {
        return List.copyOf(modules);
    }

    /** The modules' signals to account entities; the engine binds them once the entities run. */
    public AccountSignals accountSignals() {
        return accountSignals;
    }

    /** The XEP-0115 verification string of the server's own disco#info, computed once. */
    public String capsVer() {
        return capsVer;
    }

    /** The server's own XEP-0115 annotation: {@link #CAPS_NODE} and {@link #capsVer()}, SHA-1. */
    public org.kaiku.protocol.ext.caps.EntityCaps caps() {
        return new org.kaiku.protocol.ext.caps.EntityCaps("sha-1", CAPS_NODE, capsVer);
    }

    /** XEP-0115 section 5.1 over the server's disco#info answer (no data forms): SHA-1, base64. */
    static String computeCapsVer(List<Identity> identities, TreeSet<String> features) {
        String info = "http://jabber.org/protocol/disco#info";
        XmlElement.Builder q = XmlElement.builder("query", info);
        identities.forEach(i -> q.child(i.toElement(info)));
        features.forEach(f -> q.child(XmlElement.builder("feature", info).attr("var", f).build()));
        return org.kaiku.protocol.ext.caps.EntityCaps.describe("sha-1", CAPS_NODE, q.build()).ver();
    }
}
