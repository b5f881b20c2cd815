package org.kaiku.engine.config;

/** A configuration value that cannot be used; the message names the key so an operator can fix it. */
public class SettingsException extends RuntimeException {
    private final String key;

    public SettingsException(String key, String problem) {
        super(key + ": " + problem);
        this.key = key;
    }

    public SettingsException(String key, String problem, Throwable cause) {
        super(key + ": " + problem, cause);
        this.key = key;
    }

    public String key() {
        return key;
    }

    /** The problem without the key prefix. */
    public String problem() {
        return getMessage().substring(key.length() + 2);
    }
}
