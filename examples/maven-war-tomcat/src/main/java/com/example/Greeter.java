package com.example;

/** Builds the greeting the servlet answers with. */
public final class Greeter {
    private Greeter() {
    }

    public static String greet(String name) {
        if (name == null || name.isBlank()) {
            return "Hello, world!";
        }
        return "Hello, " + name.strip() + "!";
    }
}
