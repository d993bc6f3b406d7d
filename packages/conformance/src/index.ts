// One behavioural suite for every ConsumerApi implementation, and a CLI to run it against a server by URL.
export {};
