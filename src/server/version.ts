export const VERSION = 'parlor-0.1.0';
