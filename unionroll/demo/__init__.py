"""The built-in demo county: data, generation and the `unionroll demo` flow."""
