import { createUsersClient, orThrow } from '@users/client';

const users = createUsersClient({ baseUrl: 'http://localhost:3000', token: process.env.TOKEN });
const alice = { user_id: 'user-001', payload: { name: 'Alice', email: 'alice@example.com' } };
const stored = await orThrow(users.createUser(alice));
console.log(await orThrow(users.readYourWrite(stored))); // Version 1 or later, never older
const { error } = await users.changeBalance({ user_id: 'user-001', payload: { delta: -5 } });
if (error?.code === 'INSUFFICIENT_BALANCE') console.log(error.body.balance); // typed per code
