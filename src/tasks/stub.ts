/** One task object per task, by name (`task:<id>`): what every caller uses to reach it. */
export const taskObjectName = (id: number): string => `task:${id}`;

export const taskStub = (env: Env, id: number) => env.TASKS.getByName(taskObjectName(id));
