import postgres from "postgres";
const sql = postgres(process.env.DATABASE_URL!, { max: 1, fetch_types: false, onnotice: () => {} });
const t = setTimeout(() => { console.log("HANG"); process.exit(1); }, 4000);
await sql`select 1`;
const conn = await sql.reserve();
const b = conn.unsafe("BEGIN"); b.catch(() => {}); await b;
const q = conn.unsafe("SELECT 1 AS x", [], { prepare: true }); q.catch(() => {});
await b; console.log("began"); console.log(await q); await conn.unsafe("COMMIT"); conn.release();
clearTimeout(t); await sql.end();
