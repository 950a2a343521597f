declare function platform(): string;
export = platform;
