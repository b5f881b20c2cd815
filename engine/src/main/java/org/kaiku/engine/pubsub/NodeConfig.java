package org.kaiku.engine.pubsub;

import java.util.ArrayList;
import java.util.List;
import org.kaiku.engine.serialization.CborSerializable;
import org.kaiku.protocol.ext.pubsub.PubSub;
import org.kaiku.protocol.ext.xdata.DataForm;

/**
 * A leaf node's configuration, the pubsub#node_config form of XEP-0060 section 8.2 with the
 * fields this service supports. Access models: open, whitelist and authorize (section 4.5);
 * presence and roster need the owner's roster and are not offered. Publish models: publishers
 * and open.
 */
public record NodeConfig(String title, String accessModel, String publishModel, int maxItems, boolean persistItems,
                         boolean deliverPayloads, boolean notifyRetract, boolean notifyDelete, String sendLastPublishedItem,
                         String notificationType) implements CborSerializable {
    static final List<String> ACCESS_MODELS = List.of("open", "whitelist", "authorize");
    static final List<String> PUBLISH_MODELS = List.of("publishers", "open");
    static final List<String> SEND_LAST = List.of("never", "on_sub");
    static final List<String> NOTIFICATION_TYPES = List.of("headline", "normal");

    public NodeConfig {
        title = title == null ? "" : title;
    }

    public static NodeConfig defaults(PubsubSettings settings) {
        return new NodeConfig("", "open", "publishers", settings.defaultMaxItems(), true, true, true, true, "on_sub", "headline");
    }

    /** The form an owner fills (section 8.2.1), this configuration as its values. */
    public DataForm form(int maxItemsLimit) {
        List<DataForm.Field> f = new ArrayList<>();
        f.add(DataForm.Field.of(DataForm.FORM_TYPE, "hidden", PubSub.NODE_CONFIG));
        f.add(field("pubsub#title", "text-single", "A friendly name for the node", List.of(), title));
        f.add(field("pubsub#access_model", "list-single", "Who may subscribe and retrieve items", ACCESS_MODELS, accessModel));
        f.add(field("pubsub#publish_model", "list-single", "Who may publish", PUBLISH_MODELS, publishModel));
        f.add(field("pubsub#max_items", "text-single", "Items to keep (at most " + maxItemsLimit + ")", List.of(),
                Integer.toString(maxItems)));
        f.add(field("pubsub#persist_items", "boolean", "Keep items", List.of(), bool(persistItems)));
        f.add(field("pubsub#deliver_payloads", "boolean", "Deliver payloads with notifications", List.of(), bool(deliverPayloads)));
        f.add(field("pubsub#notify_retract", "boolean", "Notify subscribers when items are removed", List.of(), bool(notifyRetract)));
        f.add(field("pubsub#notify_delete", "boolean", "Notify subscribers when the node is deleted", List.of(), bool(notifyDelete)));
        f.add(field("pubsub#send_last_published_item", "list-single", "When to send the last published item", SEND_LAST,
                sendLastPublishedItem));
        f.add(field("pubsub#notification_type", "list-single", "Message type of notifications", NOTIFICATION_TYPES,
                notificationType));
        return new DataForm("form", f);
    }

    private static DataForm.Field field(String var, String type, String label, List<String> options, String value) {
        return new DataForm.Field(var, type, label, false, List.of(value),
                options.stream().map(o -> new DataForm.Option(null, o)).toList(), null);
    }

    private static String bool(boolean b) {
        return b ? "1" : "0";
    }

    /**
     * This configuration with a submitted form's values (section 8.2.3); fields left out keep
     * theirs, unknown fields are ignored (clients send what they know). A value this service
     * cannot take throws {@link IllegalArgumentException}, and nothing is applied; an access
     * model it does not offer throws {@link UnsupportedAccessModel}.
     */
    public NodeConfig apply(DataForm submitted, int maxItemsLimit) {
        if (submitted.formType() != null && !PubSub.NODE_CONFIG.equals(submitted.formType())) {
            throw new IllegalArgumentException("not a pubsub#node_config form");
        }
        NodeConfig c = this;
        for (DataForm.Field f : submitted.fields()) {
            if (f.var() == null) {
                continue;
            }
            String v = f.value() == null ? "" : f.value().strip();
            c = switch (f.var()) {
                case "pubsub#title" -> new NodeConfig(v, c.accessModel, c.publishModel, c.maxItems, c.persistItems, c.deliverPayloads,
                        c.notifyRetract, c.notifyDelete, c.sendLastPublishedItem, c.notificationType);
                case "pubsub#access_model" -> {
                    if (!ACCESS_MODELS.contains(v)) {
                        throw new UnsupportedAccessModel(v);
                    }
                    yield new NodeConfig(c.title, v, c.publishModel, c.maxItems, c.persistItems, c.deliverPayloads,
                            c.notifyRetract, c.notifyDelete, c.sendLastPublishedItem, c.notificationType);
                }
                case "pubsub#publish_model" -> new NodeConfig(c.title, c.accessModel, oneOf(f.var(), v, PUBLISH_MODELS), c.maxItems,
                        c.persistItems, c.deliverPayloads, c.notifyRetract, c.notifyDelete, c.sendLastPublishedItem, c.notificationType);
                case "pubsub#max_items" -> new NodeConfig(c.title, c.accessModel, c.publishModel, maxItems(v, maxItemsLimit),
                        c.persistItems, c.deliverPayloads, c.notifyRetract, c.notifyDelete, c.sendLastPublishedItem, c.notificationType);
                case "pubsub#persist_items" -> new NodeConfig(c.title, c.accessModel, c.publishModel, c.maxItems, parseBool(f.var(), v),
                        c.deliverPayloads, c.notifyRetract, c.notifyDelete, c.sendLastPublishedItem, c.notificationType);
                case "pubsub#deliver_payloads" -> new NodeConfig(c.title, c.accessModel, c.publishModel, c.maxItems, c.persistItems,
                        parseBool(f.var(), v), c.notifyRetract, c.notifyDelete, c.sendLastPublishedItem, c.notificationType);
                case "pubsub#notify_retract" -> new NodeConfig(c.title, c.accessModel, c.publishModel, c.maxItems, c.persistItems,
                        c.deliverPayloads, parseBool(f.var(), v), c.notifyDelete, c.sendLastPublishedItem, c.notificationType);
                case "pubsub#notify_delete" -> new NodeConfig(c.title, c.accessModel, c.publishModel, c.maxItems, c.persistItems,
                        c.deliverPayloads, c.notifyRetract, parseBool(f.var(), v), c.sendLastPublishedItem, c.notificationType);
                case "pubsub#send_last_published_item" -> new NodeConfig(c.title, c.accessModel, c.publishModel, c.maxItems,
                        c.persistItems, c.deliverPayloads, c.notifyRetract, c.notifyDelete, oneOf(f.var(), v, SEND_LAST),
                        c.notificationType);
                case "pubsub#notification_type" -> new NodeConfig(c.title, c.accessModel, c.publishModel, c.maxItems, c.persistItems,
                        c.deliverPayloads, c.notifyRetract, c.notifyDelete, c.sendLastPublishedItem,
                        oneOf(f.var(), v, NOTIFICATION_TYPES));
                default -> c;
            };
        }
        return c;
    }

    /**
     * Whether publish-options {@code options} hold for this node (section 7.1.5): each field must
     * equal the node's value of the same name; an unknown field never holds.
     */
    public boolean meets(DataForm options, int maxItemsLimit) {
        DataForm mine = form(maxItemsLimit);
        for (DataForm.Field f : options.fields()) {
            if (f.var() == null || f.var().equals(DataForm.FORM_TYPE)) {
                continue;
            }
            DataForm.Field have = mine.field(f.var()).orElse(null);
            if (have == null) {
                return false;
            }
            String want = f.value() == null ? "" : f.value().strip();
            String value = have.value();
            if ("boolean".equals(have.type())) {
                if (!want.equals("1") && !want.equals("0") && !want.equals("true") && !want.equals("false")) {
                    return false;
                }
                if ((want.equals("1") || want.equals("true")) != value.equals("1")) {
                    return false;
                }
            } else if (!want.equals(value)) {
                return false;
            }
        }
        return true;
    }

    private static String oneOf(String var, String v, List<String> allowed) {
        if (!allowed.contains(v)) {
            throw new IllegalArgumentException(var + " must be one of " + allowed);
        }
        return v;
    }

    private static boolean parseBool(String var, String v) {
        return switch (v) {
            case "1", "true" -> true;
            case "0", "false" -> false;
            default -> throw new IllegalArgumentException(var + " is a boolean, got '" + v + "'");
        };
    }

    private static int maxItems(String v, int limit) {
        if (v.equals("max")) {
            return limit;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < 1 || n > limit) {
                throw new IllegalArgumentException("pubsub#max_items must be 1.." + limit);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("pubsub#max_items is a number or 'max'");
        }
    }

    /** An access model this service does not offer (section 8.1.3.3: not-acceptable, unsupported-access-model). */
    public static final class UnsupportedAccessModel extends IllegalArgumentException {
        UnsupportedAccessModel(String model) {
            super("access model '" + model + "' is not supported");
        }
    }
}
