"""Greets people; `python -m greeter NAME` prints the greeting."""
import sys


def greet(name: str) -> str:
    name = name.strip()
    return f"Hello, {name}!" if name else "Hello, world!"


if __name__ == "__main__":
    print(greet(" ".join(sys.argv[1:])))
