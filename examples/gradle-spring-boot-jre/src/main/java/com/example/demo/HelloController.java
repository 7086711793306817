package com.example.demo;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class HelloController {
    @Value("${greeting.prefix:Hello}")
    private String prefix;

    @GetMapping("/hello")
    public String hello(@RequestParam(defaultValue = "world") String name) {
        return prefix + ", " + name + "!";
    }
}
