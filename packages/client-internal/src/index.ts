// ConsumerApi over the embedded engine: identities, the lane rule, errors.
export {};
